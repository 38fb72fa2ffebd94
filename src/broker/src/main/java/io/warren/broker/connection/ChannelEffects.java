package io.warren.broker.connection;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.core.channel.ChannelEffect;
import io.warren.core.channel.SocketCredit;
import java.util.List;

/**
 * Carries out what a channel's core decided ({@link ChannelEffect}s), for all channels of one connection: frames to
 * the socket, commands to queue shards, the channel's close. Owned by the {@link ConnectionActor}; a channel hands it
 * the effects of each input, in order. One instance, no state: the publish and deliver paths pass through it without
 * allocating.
 */
final class ChannelEffects {

    private final ConnectionActor conn;

    ChannelEffects(ConnectionActor conn) {
        this.conn = conn;
    }

    /** Socket credit for one consumer of one queue, returned when the socket took the write. */
    record WrittenCredit(String queue, QueueCommand.NoAckWritten credit) {}

    /** Hands over (and makes the core forget) the socket credit of deliveries {@code channel} wrote since the last call. */
    void takeWritten(Channel channel, List<WrittenCredit> out) {
        for (SocketCredit.Credit c : channel.core().takeWritten()) {
            out.add(new WrittenCredit(c.queue(), new QueueCommand.NoAckWritten(channel.channelId(), c.consumerTag(), c.count())));
        }
    }

    /** Carries out {@code effects} of {@code channel} in order, then clears the list (it may be a reused buffer). */
    void apply(Channel channel, List<ChannelEffect> effects) {
        try {
            for (int i = 0; i < effects.size(); i++) apply(channel, effects.get(i));
        } finally {
            effects.clear(); // the reused buffer never keeps an effect for a later input
        }
    }

    private void apply(Channel channel, ChannelEffect effect) {
        int number = channel.number();
        String vhost = conn.vhost();
        if (effect instanceof ChannelEffect.SendMethod s) {
            conn.sendMethod(number, s.method());
        } else if (effect instanceof ChannelEffect.SendDelivery<?> s) {
            channel.sendDelivery(s.deliveryTag(), (QueueDelivery) s.delivery());
        } else if (effect instanceof ChannelEffect.RoutePublish<?> r) {
            channel.publisher().route((TxPublish) r.publish());
        } else if (effect instanceof ChannelEffect.EnqueueBatch b) {
            conn.broker().queues().enqueue(vhost, b.queue(), new QueueCommand.Enqueue(b.messages(), b.seqs(), conn.self().narrow(), number, b.resent()));
        } else if (effect instanceof ChannelEffect.Settle s) {
            conn.broker().queues().tell(vhost, s.queue(), new QueueCommand.Settle(channel.channelId(), s.acked(), s.requeued(), s.discarded()));
        } else if (effect instanceof ChannelEffect.DeliveriesReceived r) {
            conn.broker().queues().tell(vhost, r.queue(), new QueueCommand.DeliveriesReceived(channel.channelId(), r.seq(),
                    r.missingUpTo(), r.held()));
        } else if (effect instanceof ChannelEffect.Consume c) {
            conn.broker().queues().tell(vhost, c.queue(), new QueueCommand.Consume(channel.channelId(), conn.self(), number,
                    c.consumerTag(), c.noAck(), c.limit(), c.exclusive(), c.priority(), conn.connectionId(),
                    c.channelPrefetchLimited()));
        } else if (effect instanceof ChannelEffect.Cancel c) {
            conn.broker().queues().tell(vhost, c.queue(), new QueueCommand.Cancel(channel.channelId(), c.consumerTag(), null));
        } else if (effect instanceof ChannelEffect.LeaveQueue l) {
            conn.broker().queues().tell(vhost, l.queue(), new QueueCommand.ChannelClosed(channel.channelId()));
        } else if (effect instanceof ChannelEffect.CloseChannel c) {
            // A queue's refusal can be a connection error (540 for global qos on a quorum queue, as RabbitMQ).
            channel.fail(new AmqpException(c.replyCode(), c.replyText(), c.classId(), c.methodId(),
                    ReplyCodes.isHardError(c.replyCode())));
        }
    }
}
