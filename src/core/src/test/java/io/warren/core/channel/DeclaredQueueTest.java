package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

class DeclaredQueueTest {

    private final DeclaredQueue d = new DeclaredQueue();

    @Test
    void anEmptyNameWithNoDeclaredQueueIs404() {
        AmqpException e = assertThrows(AmqpException.class, () -> d.queue(""));
        assertEquals(404, e.replyCode());
        assertEquals("NOT_FOUND - no previously declared queue", e.replyText());
    }

    @Test
    void anEmptyNameMeansTheLastDeclaredQueue() {
        d.declared("q1");
        d.declared("q2");
        assertEquals("q2", d.queue(""));
        assertEquals("other", d.queue("other"));
    }

    @Test
    void bindingWithEmptyQueueAndKeyUsesTheQueueNameAsKey() {
        // RabbitMQ Routing.mRDQRouting
        d.declared("q2");
        assertEquals("q2", d.routingKey("", ""));
        assertEquals("baz", d.routingKey("", "baz"));
        assertEquals("", d.routingKey("q1", ""));
    }
}
