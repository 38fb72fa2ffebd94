package io.warren.broker.protocol;

import io.warren.amqp.AmqpException;

public sealed interface TopologyReply extends WarrenSerializable {
    /** Done; the change has this version, which a node's replica must reach before the client hears ok. */
    record Done(long epoch, long version) implements TopologyReply {}

    record Failed(int replyCode, String replyText) implements TopologyReply {
        public static Failed of(AmqpException e) { return new Failed(e.replyCode(), e.replyText()); }
    }
}
