package io.warren.core.queue;

import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueDefinitionTest {

    private static QueueDefinition q(boolean durable, boolean exclusive, boolean autoDelete, Map<String, Object> args) {
        return new QueueDefinition("/", "q", durable, exclusive, autoDelete, args);
    }

    private static void assertInequivalent(QueueDefinition current, QueueDefinition requested, int code,
                                           String text) {
        AmqpException e = assertThrows(AmqpException.class, () -> current.checkEquivalent(requested));
        assertEquals(code, e.replyCode());
        assertEquals(text, e.replyText());
    }

    @Test
    void sameDeclarationIsEquivalent() {
        QueueDefinition d = q(true, false, false, Map.of("x-max-length", 10));
        assertDoesNotThrow(() -> d.checkEquivalent(q(true, false, false, Map.of("x-max-length", 10))));
    }

    @Test
    void durableMismatch() {
        assertInequivalent(q(true, false, false, Map.of()), q(false, false, false, Map.of()), 406,
                "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '/': "
                        + "received 'false' but current is 'true'");
    }

    @Test
    void autoDeleteMismatch() {
        assertInequivalent(q(false, false, false, Map.of()), q(false, false, true, Map.of()), 406,
                "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue 'q' in vhost '/': "
                        + "received 'true' but current is 'false'");
    }

    @Test
    void exclusiveMismatchIsResourceLocked() {
        assertInequivalent(q(false, false, false, Map.of()), q(false, true, false, Map.of()), 405,
                "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'q' in vhost '/'. It could be "
                        + "originally declared on another connection or the exclusive property value does not "
                        + "match that of the original declaration.");
    }

    @Test
    void argumentMismatches() {
        assertInequivalent(q(true, false, false, Map.of("x-max-length", 10)),
                q(true, false, false, Map.of("x-max-length", 20)), 406,
                "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q' in vhost '/': "
                        + "received the value '20' of type 'signedint' but current is the value '10' of type "
                        + "'signedint'");
        assertInequivalent(q(true, false, false, Map.of("x-dead-letter-exchange", "a")),
                q(true, false, false, Map.of()), 406,
                "PRECONDITION_FAILED - inequivalent arg 'x-dead-letter-exchange' for queue 'q' in vhost '/': "
                        + "received none but current is the value 'a' of type 'longstr'");
        assertInequivalent(q(true, false, false, Map.of()),
                q(true, false, false, Map.of("x-message-ttl", 5L)), 406,
                "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': "
                        + "received the value '5' of type 'long' but current is none");
    }

    @Test
    void integerTypesCompareByValue() {
        QueueDefinition d = q(true, false, false, Map.of("x-max-length", 10));
        assertDoesNotThrow(() -> d.checkEquivalent(q(true, false, false, Map.of("x-max-length", 10L))));
        assertDoesNotThrow(() -> d.checkEquivalent(q(true, false, false, Map.of("x-max-length", (short) 10))));
    }

    @Test
    void absentQueueTypeEqualsClassicAndOtherArgumentsAreNotCompared() {
        QueueDefinition d = q(true, false, false, Map.of("x-custom", 1));
        assertDoesNotThrow(() -> d.checkEquivalent(q(true, false, false, Map.of("x-queue-type", "classic"))));
        assertDoesNotThrow(() -> q(true, false, false, Map.of("x-queue-type", "classic"))
                .checkEquivalent(q(true, false, false, Map.of())));
    }

    @Test
    void argumentsAreCopied() {
        java.util.HashMap<String, Object> args = new java.util.HashMap<>(Map.of("x-max-length", 1));
        QueueDefinition d = q(true, false, false, args);
        args.put("x-max-length", 2);
        assertEquals(1, d.arguments().get("x-max-length"));
    }
}
