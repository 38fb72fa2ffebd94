package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;

/**
 * Channel methods whose options RabbitMQ 3.10 does not implement: it closes the connection with 540 NOT_IMPLEMENTED
 * rather than pretend, and so does Warren (the Java client's suite checks both).
 */
public final class NotImplemented {
    private NotImplemented() {}

    /** basic.qos with a prefetch-size: RabbitMQ limits by count only ({@code prefetch_size!=0 (N)}). */
    public static void checkPrefetchSize(long prefetchSize) {
        if (prefetchSize != 0) throw notImplemented("prefetch_size!=0 (" + prefetchSize + ")");
    }

    /** basic.recover / basic.recover-async with requeue=false (redeliver to the same consumer) is not offered. */
    public static void checkRecoverRequeue(boolean requeue) {
        if (!requeue) throw notImplemented("requeue=false");
    }

    private static AmqpException notImplemented(String what) {
        return AmqpException.connection(ReplyCodes.NOT_IMPLEMENTED, ReplyCodes.text(ReplyCodes.NOT_IMPLEMENTED, what));
    }
}
