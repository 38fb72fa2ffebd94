package io.warren.broker.protocol;

import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a queue entity is told. Replies go to the ActorRefs carried in the commands. The records here may cross nodes
 * and are {@link WarrenSerializable}; what a queue tells itself (timers, its store's answers) is a {@link NodeLocal}
 * (the queue package's package-private {@code QueueInternal}), never serialized.
 */
public sealed interface QueueCommand permits QueueCommand.Declare, QueueCommand.Enqueue, QueueCommand.Consume,
        QueueCommand.Cancel, QueueCommand.Settle, QueueCommand.Get, QueueCommand.Purge, QueueCommand.CheckExclusive, QueueCommand.Delete,
        QueueCommand.ChannelClosed, QueueCommand.Recover, QueueCommand.OwnerClosed, QueueCommand.NoAckWritten,
        QueueCommand.DeliveriesReceived, QueueCommand.NodeLocal {

    /**
     * Messages a queue entity sends itself. Declared open here so that this leaf package need not know the queue
     * package; they never leave the node and have no wire format.
     */
    non-sealed interface NodeLocal extends QueueCommand {}

    /** Create the queue (or check that the existing one is equivalent); passive only checks it exists. */
    record Declare(QueueDefinition definition, String ownerConnection, boolean passive, ActorRef<QueueReply> replyTo)
            implements QueueCommand, WarrenSerializable {}

    /**
     * Publishes for this queue, batched per channel and read. {@code publishSeqs[i]} is the channel's confirm
     * sequence of {@code messages[i]} (0 when the channel does not confirm); settlement goes to {@code replyTo}.
     * {@code resent}: the channel sends these again (unanswered after a failover or for long): the queue does not
     * enqueue ids it holds or settled lately, and flags the others redelivered.
     */
    record Enqueue(List<Message> messages, long[] publishSeqs, ActorRef<ConnectionProtocol.EnqueueSettled> replyTo, int channel,
                   boolean resent)
            implements QueueCommand, WarrenSerializable {
        /** A first send. */
        public Enqueue(List<Message> messages, long[] publishSeqs, ActorRef<ConnectionProtocol.EnqueueSettled> replyTo,
                       int channel) {
            this(messages, publishSeqs, replyTo, channel, false);
        }
    }

    /**
     * basic.consume, or a channel re-attaching a consumer to a queue's new incarnation after failover, or changing
     * its prefetch (the channel-wide limit changed). Idempotent:
     * messages through sharding may be lost while shards move, so the channel retries until it gets an answer, and a
     * retry that finds the consumer already registered succeeds (the channel alone keeps its tags unique).
     */
    record Consume(String channelId, ActorRef<ConnectionProtocol> connection, int channel, String consumerTag,
                   boolean noAck, int prefetch, boolean exclusive, int priority, String ownerConnection,
                   boolean channelPrefetchLimited)
            implements QueueCommand, WarrenSerializable {}

    record Cancel(String channelId, String consumerTag, ActorRef<QueueReply> replyTo) implements QueueCommand, WarrenSerializable {}

    /** Acks, requeues and discards (reject/nack requeue=false) of one channel, batched. */
    record Settle(String channelId, long[] acked, long[] requeued, long[] discarded) implements QueueCommand, WarrenSerializable {}

    record Get(String channelId, ActorRef<ConnectionProtocol> connection, int channel, boolean noAck,
               String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand, WarrenSerializable {}

    record Purge(String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand, WarrenSerializable {}

    /**
     * Before queue.bind/unbind: Ok unless the queue is another connection's exclusive queue (405, RabbitMQ's text). A
     * missing queue answers Ok too: the topology reports it, after a missing exchange as RabbitMQ does.
     */
    record CheckExclusive(String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand, WarrenSerializable {}

    record Delete(boolean ifUnused, boolean ifEmpty, String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand, WarrenSerializable {}

    /** The channel is gone: drop its consumers and requeue everything it had unacked. */
    record ChannelClosed(String channelId) implements QueueCommand, WarrenSerializable {}

    /** basic.recover: requeue everything the channel has unacked. */
    record Recover(String channelId) implements QueueCommand, WarrenSerializable {}

    /** The owning connection of an exclusive queue closed. */
    record OwnerClosed(String ownerConnection) implements QueueCommand, WarrenSerializable {}

    /**
     * The policies of the queue's node changed: the policy and operator policy now in force for this queue (the queue
     * merges them with its own arguments). Node-local: every node's queues hear it from their own access replica.
     */
    record ApplyPolicy(io.warren.core.policy.EffectivePolicy policy) implements NodeLocal {}

    /**
     * A channel's answer to the queue's numbered deliveries ({@link ConnectionProtocol.Deliver#seq()}): it has the
     * messages up to {@code seq}; when {@code missingUpTo} is not 0 some never arrived, and of the deliveries to it with
     * ids up to that, it holds only {@code held}: the queue takes back the others (redelivered).
     */
    record DeliveriesReceived(String channelId, long seq, long missingUpTo, long[] held) implements QueueCommand, WarrenSerializable {}

    /** The channel wrote this many deliveries of the consumer to its socket (any consumer): window credit comes back. */
    record NoAckWritten(String channelId, String consumerTag, int count) implements QueueCommand, WarrenSerializable {}

}
