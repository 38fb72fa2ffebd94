package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

/** RabbitMQ 3.10's 540 refusals (texts checked against the installed server by the Java client's suite). */
class NotImplementedTest {

    @Test
    void aPrefetchSizeClosesTheConnectionWith540() {
        NotImplemented.checkPrefetchSize(0);
        AmqpException e = assertThrows(AmqpException.class, () -> NotImplemented.checkPrefetchSize(1024));
        assertEquals(540, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals("NOT_IMPLEMENTED - prefetch_size!=0 (1024)", e.replyText());
    }

    @Test
    void recoverWithoutRequeueClosesTheConnectionWith540() {
        NotImplemented.checkRecoverRequeue(true);
        AmqpException e = assertThrows(AmqpException.class, () -> NotImplemented.checkRecoverRequeue(false));
        assertEquals(540, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals("NOT_IMPLEMENTED - requeue=false", e.replyText());
    }
}
