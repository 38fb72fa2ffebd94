package io.warren.broker.protocol;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * Everything a connection actor receives: bytes from its TCP stream, acks from the outbound stream, its own
 * timers, and what queues send back to its channels.
 */
public sealed interface ConnectionProtocol {

    /** The inbound stream started; acknowledge each chunk to {@code ackTo} to ask for the next. */
    record InboundStarted(ActorRef<StreamAck> ackTo) implements ConnectionProtocol {}

    record Inbound(ByteString bytes, ActorRef<StreamAck> ackTo) implements ConnectionProtocol {}

    record InboundClosed(Throwable failure) implements ConnectionProtocol {}

    /** The outbound stream's actor: write one ByteString at a time to it, then wait for {@link OutboundAck}. */
    record OutboundAttached(ActorRef<Outbound> out) implements ConnectionProtocol {}

    enum OutboundAck implements ConnectionProtocol { INSTANCE }

    enum StreamAck { INSTANCE }

    sealed interface Outbound {
        record Bytes(ByteString bytes) implements Outbound {}
        record Complete() implements Outbound {}
    }

    enum Tick implements ConnectionProtocol { HEARTBEAT, HANDSHAKE_TIMEOUT, CLOSE_TIMEOUT, ALARM_CHECK, AUTH_REFUSAL_DUE }

    /** AMQPS: the TLS handshake completed; the client certificate's CN, if it sent a verified one. */
    record TlsEstablished(java.util.Optional<String> peerCommonName) implements ConnectionProtocol {}

    /**
     * The answer to the asynchronous step a channel waits for (an ask to a queue or the topology): the queue's reply
     * (null for the topology's), or the failure. Local only: the channel keeps what the answer continues with.
     */
    record ChannelAnswer(int channel, long generation, io.warren.broker.protocol.QueueReply reply, Throwable failure)
            implements ConnectionProtocol {}

    /** Messages from queues to one of this connection's channels. */
    sealed interface ToChannel extends ConnectionProtocol, io.warren.broker.protocol.WarrenSerializable {
        int channel();
    }

    /**
     * Deliveries for consumers on a channel, all from one queue. {@code seq} numbers the queue incarnation's
     * ({@code incarnation}) messages to a channel on another node, so that the channel sees one lost on the way
     * (io.warren.core.queue.DeliveryStreams); 0 for a channel on the queue's node.
     */
    record Deliver(int channel, String queue, List<QueueDelivery> deliveries, long incarnation, long seq) implements ToChannel {
        /** Not numbered: from a queue on this node. */
        public Deliver(int channel, String queue, List<QueueDelivery> deliveries) {
            this(channel, queue, deliveries, 0, 0);
        }

        /** The highest delivery id this message carries: its last, as a queue hands ids out in increasing order. */
        public long maxDeliveryId() {
            return deliveries.isEmpty() ? 0 : deliveries.get(deliveries.size() - 1).deliveryId();
        }
    }

    /**
     * A queue that numbers its deliveries to this channel went quiet: did its messages up to {@code seq}, carrying
     * delivery ids up to {@code lastDeliveryId}, all arrive? {@code wantHeld}: say which of them the channel holds even
     * if all arrived (the queue heard no ack for long: one may have been lost). Answered with
     * {@link io.warren.broker.protocol.QueueCommand.DeliveriesReceived}.
     */
    record DeliveryProbe(int channel, String queue, long incarnation, long seq, long lastDeliveryId, boolean wantHeld)
            implements ToChannel {}

    /** The queue holds (journalled when needed) these publishes of the channel; rejected ones were refused. */
    record EnqueueSettled(int channel, String queue, long[] accepted, long[] rejected) implements ToChannel {}

    /** Answer to basic.consume, sent on the same path as the deliveries so consume-ok always goes first. */
    record ConsumeResult(int channel, String consumerTag, int failureCode, String failureText) implements ToChannel {
        public boolean ok() { return failureCode == 0; }
    }

    /**
     * The queue incarnation that serves this channel: the connection watches it, and when it dies (node crash,
     * hand-off) the channel re-attaches its consumers and re-sends unconfirmed publishes to the next incarnation.
     */
    record QueueIncarnation(int channel, String queue, ActorRef<io.warren.broker.protocol.QueueCommand> ref) implements ToChannel {}

    /** A queue incarnation this connection watched has stopped. */
    record QueueTerminated(ActorRef<io.warren.broker.protocol.QueueCommand> ref) implements ConnectionProtocol {}

    enum ResendTick implements ConnectionProtocol { INSTANCE }

    /** The queue cancelled a consumer (queue deleted, single-active handover, ...). */
    record ConsumerCancelled(int channel, String consumerTag) implements ToChannel {}

    /**
     * A delivery of this channel stayed unacknowledged longer than its queue's consumer timeout: the channel closes
     * with 406 (its unacked messages go back to their queues), unless that delivery is no longer the channel's (it
     * was settled, or the channel number was closed and reopened meanwhile).
     */
    record ConsumerTimedOut(int channel, String queue, long deliveryId, long timeoutMillis) implements ToChannel {}

    /**
     * A message published to {@code amq.rabbitmq.reply-to.<token>}, for the direct reply-to consumer of this channel;
     * {@code key} is the secret part of the token, which the consumer must still hold (no queue, no ack, no storage).
     */
    record DirectReply(int channel, String key, io.warren.core.queue.Message message) implements ToChannel {}

    /**
     * queue.declare of a reply-to address: does this channel still have the reply consumer holding {@code key}?
     * Answered with {@link io.warren.broker.protocol.QueueReply.Ok} (0 messages, 1 consumer, as RabbitMQ says) or
     * {@link io.warren.broker.protocol.QueueReply.Empty}.
     */
    record ReplyConsumerQuery(int channel, String key, ActorRef<io.warren.broker.protocol.QueueReply> replyTo) implements ToChannel {}

    /** Ask the connection to close itself (broker shutdown, user-visible force close). */
    record ForceClose(int replyCode, String replyText) implements ConnectionProtocol {}
}
