package io.warren.broker.protocol;

import io.warren.amqp.AmqpException;

/** Answers of a queue entity to the asks in {@link QueueCommand}. */
public sealed interface QueueReply extends WarrenSerializable {

    record Ok(int messageCount, int consumerCount) implements QueueReply {}

    record Got(QueueDelivery delivery) implements QueueReply {}

    record Empty() implements QueueReply {}

    /** The AMQP error the channel must raise (soft: the channel closes). */
    record Failed(int replyCode, String replyText) implements QueueReply {
        public static Failed of(AmqpException e) { return new Failed(e.replyCode(), e.replyText()); }
        public AmqpException toException() { return AmqpException.channel(replyCode, replyText); }
    }
}
