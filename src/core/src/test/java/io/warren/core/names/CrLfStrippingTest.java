package io.warren.core.names;

import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.method.BasicGet;
import io.warren.amqp.method.ExchangeBind;
import io.warren.amqp.method.ExchangeDeclare;
import io.warren.amqp.method.QueueBind;
import io.warren.amqp.method.QueueDeclare;
import io.warren.amqp.method.QueueDelete;
import io.warren.amqp.method.QueueUnbind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrLfStrippingTest {

    @Test
    void stripsCrAndLfAnywhere() {
        assertEquals("ab", CrLfStripping.strip("\ra\r\nb\n"));
        assertEquals("plain", CrLfStripping.strip("plain"));
    }

    @Test
    void declaresDeletesAndBindingsAreStripped() {
        QueueDeclare d = (QueueDeclare) CrLfStripping.apply(new QueueDeclare("q\r\n1", false, true, false, false, false, Map.of("k", 1)));
        assertEquals(new QueueDeclare("q1", false, true, false, false, false, Map.of("k", 1)), d);
        assertEquals("e1", ((ExchangeDeclare) CrLfStripping.apply(
                new ExchangeDeclare("e\n1", "direct", false, false, false, false, false, Map.of()))).exchange());
        assertEquals("q1", ((QueueDelete) CrLfStripping.apply(new QueueDelete("q1\r", false, false, false))).queue());
        QueueBind b = (QueueBind) CrLfStripping.apply(new QueueBind("q\n", "e\r", "key\r\n", false, Map.of()));
        assertEquals("q", b.queue());
        assertEquals("e", b.exchange());
        assertEquals("key\r\n", b.routingKey(), "routing keys are not names");
        assertEquals("q", ((QueueUnbind) CrLfStripping.apply(new QueueUnbind("q\n", "e", "k", Map.of()))).queue());
        assertEquals("s", ((ExchangeBind) CrLfStripping.apply(new ExchangeBind("d", "s\n", "k", false, Map.of()))).source());
    }

    @Test
    void otherMethodsAndCleanNamesAreUntouched() {
        BasicGet get = new BasicGet("q\n", false);
        assertSame(get, CrLfStripping.apply(get));
        QueueDeclare clean = new QueueDeclare("q", false, true, false, false, false, Map.of());
        assertSame(clean, CrLfStripping.apply(clean));
    }
}
