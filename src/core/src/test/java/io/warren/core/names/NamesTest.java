package io.warren.core.names;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {

    @Test
    void generatedQueueNamesLookLikeRabbitsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String name = Names.generateQueueName();
            assertTrue(name.startsWith("amq.gen-"), name);
            String suffix = name.substring("amq.gen-".length());
            assertEquals(22, suffix.length(), name);
            assertTrue(suffix.matches("[A-Za-z0-9_-]{22}"), name);
            assertEquals(16, Base64.getUrlDecoder().decode(suffix).length);
            assertTrue(seen.add(name), "repeated " + name);
        }
        assertTrue(Names.isReserved(Names.generateQueueName()));
    }

    @Test
    void reservedMeansTheAmqDotPrefix() {
        assertTrue(Names.isReserved("amq.direct"));
        assertTrue(Names.isReserved("amq."));
        assertFalse(Names.isReserved("amq"));
        assertFalse(Names.isReserved("AMQ.direct"));
        assertFalse(Names.isReserved("my.amq.x"));
        assertFalse(Names.isReserved(""));
    }

    @Test
    void shortstrLimitIs255Utf8Bytes() {
        assertDoesNotThrow(() -> Names.validateShortstr("a".repeat(255), "queue name"));
        assertDoesNotThrow(() -> Names.validateShortstr("", "queue name"));
        AmqpException e = assertThrows(AmqpException.class, () -> Names.validateShortstr("a".repeat(256), "queue name"));
        assertEquals(406, e.replyCode());
        assertTrue(e.replyText().startsWith("PRECONDITION_FAILED - queue name too long"), e.replyText());
        // 128 two-byte characters are 256 bytes although only 128 chars
        String twoByte = "\u00e9".repeat(128);
        assertEquals(256, twoByte.getBytes(StandardCharsets.UTF_8).length);
        assertThrows(AmqpException.class, () -> Names.validateShortstr(twoByte, "exchange name"));
        String rabbits = "\uD83D\uDC07".repeat(63) + "abc"; // 63 * 4 + 3 = 255 bytes
        assertEquals(255, Names.utf8Length(rabbits));
        assertDoesNotThrow(() -> Names.validateShortstr(rabbits, "consumer tag"));
        assertThrows(AmqpException.class, () -> Names.validateShortstr(rabbits + "d", "consumer tag"));
        for (String s : new String[]{"", "abc", "\u00e9\u4e2d", "\uD83D\uDC07x", "\uD800 lone surrogate"}) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Names.utf8Length(s), s);
        }
    }

    @Test
    void accessRefusedTextsMatchRabbit() {
        AmqpException exchange = Names.reservedExchangeName("amq.foo");
        assertEquals(403, exchange.replyCode());
        assertFalse(exchange.connectionLevel());
        assertEquals("ACCESS_REFUSED - exchange name 'amq.foo' contains reserved prefix 'amq.*'", exchange.replyText());
        AmqpException queue = Names.reservedQueueName("amq.x");
        assertEquals(403, queue.replyCode());
        assertEquals("ACCESS_REFUSED - queue name 'amq.x' contains reserved prefix 'amq.*'", queue.replyText());
        AmqpException defaultExchange = Names.defaultExchangeForbidden();
        assertEquals(403, defaultExchange.replyCode());
        assertEquals("ACCESS_REFUSED - operation not permitted on the default exchange", defaultExchange.replyText());
        assertEquals("ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
                Names.systemExchangeDeletion("amq.direct", "/").replyText());
        assertEquals("ACCESS_REFUSED - cannot publish to internal exchange 'i' in vhost 'v'",
                Names.internalExchangePublish("i", "v").replyText());
    }

    @Test
    void notFoundAndInUseTextsMatchRabbit() {
        assertEquals(404, Names.noQueue("q", "/").replyCode());
        assertEquals("NOT_FOUND - no queue 'q' in vhost '/'", Names.noQueue("q", "/").replyText());
        assertEquals("NOT_FOUND - no exchange 'x' in vhost 'v'", Names.noExchange("x", "v").replyText());
        assertEquals(406, Names.exchangeInUse("x", "/").replyCode());
        assertEquals("PRECONDITION_FAILED - exchange 'x' in vhost '/' in use", Names.exchangeInUse("x", "/").replyText());
    }
}
