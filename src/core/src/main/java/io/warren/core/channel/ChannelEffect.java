package io.warren.core.channel;

import io.warren.amqp.method.Method;
import io.warren.core.queue.Message;
import java.util.List;

/**
 * What {@link ChannelCore} decided to do for one input; the broker's channel carries it out in list order (frames
 * to the socket, commands to queue shards). Records, no behaviour.
 */
public sealed interface ChannelEffect {

    /** A method frame without content to the client. */
    record SendMethod(Method method) implements ChannelEffect {}

    /** basic.deliver of a delivery the channel-wide prefetch held back and now lets through. */
    record SendDelivery<D>(String queue, String consumerTag, long deliveryTag, D delivery) implements ChannelEffect {}

    /** A publish of a committed transaction: route it now (it then comes back to the core as a routed publish). */
    record RoutePublish<P>(P publish) implements ChannelEffect {}

    /**
     * Publishes gathered for one queue: {@code seqs[i]} is the confirm sequence of {@code messages[i]} (0: none);
     * {@code resent}: unanswered publishes sent again (after a failover, or late), which the queue must not enqueue
     * twice and flags redelivered if it does enqueue them.
     */
    record EnqueueBatch(String queue, List<Message> messages, long[] seqs, boolean resent) implements ChannelEffect {
        /** A first send. */
        public EnqueueBatch(String queue, List<Message> messages, long[] seqs) {
            this(queue, messages, seqs, false);
        }
    }

    /** Acks, requeues and discards of one queue's deliveries (by the queue's delivery ids). */
    record Settle(String queue, long[] acked, long[] requeued, long[] discarded) implements ChannelEffect {}

    /**
     * Registers (or re-registers, with a new limit or after failover) a consumer with its queue;
     * {@code channelPrefetchLimited}: the channel has a channel-wide (global) prefetch, which quorum queues refuse.
     */
    record Consume(String queue, String consumerTag, boolean noAck, int limit, boolean exclusive, int priority,
                   boolean channelPrefetchLimited) implements ChannelEffect {}

    /**
     * The answer to a queue's numbered deliveries ({@link DeliveryGaps}): the channel has its messages up to {@code seq};
     * when {@code missingUpTo} is not 0, some of them never arrived, and of the queue's deliveries with ids up to it the
     * channel holds only {@code held} (the queue takes back the others).
     */
    record DeliveriesReceived(String queue, long seq, long missingUpTo, long[] held) implements ChannelEffect {}

    /** basic.cancel to the queue. */
    record Cancel(String queue, String consumerTag) implements ChannelEffect {}

    /** The channel is closed: the queue drops its consumers and requeues what it has out to it. */
    record LeaveQueue(String queue) implements ChannelEffect {}

    /** channel.close with this soft error (the channel then ignores everything until close-ok). */
    record CloseChannel(int replyCode, String replyText, int classId, int methodId) implements ChannelEffect {}
}
