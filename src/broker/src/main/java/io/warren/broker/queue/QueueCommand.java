package io.warren.broker.queue;

import io.warren.broker.connection.ConnectionProtocol;
import io.warren.broker.serialization.WarrenSerializable;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a queue entity is told. Replies go to the ActorRefs carried in the commands. */
public sealed interface QueueCommand extends WarrenSerializable {

    /** Create the queue (or check that the existing one is equivalent); passive only checks it exists. */
    record Declare(QueueDefinition definition, String ownerConnection, boolean passive, ActorRef<QueueReply> replyTo)
            implements QueueCommand {}

    /**
     * Publishes for this queue, batched per channel and read. {@code publishSeqs[i]} is the channel's confirm
     * sequence of {@code messages[i]} (0 when the channel does not confirm); settlement goes to {@code replyTo}.
     */
    record Enqueue(List<Message> messages, long[] publishSeqs, ActorRef<ConnectionProtocol.EnqueueSettled> replyTo, int channel)
            implements QueueCommand {}

    /**
     * basic.consume, or a channel re-attaching a consumer to a queue's new incarnation after failover. Idempotent:
     * messages through sharding may be lost while shards move, so the channel retries until it gets an answer, and a
     * retry that finds the consumer already registered succeeds (the channel alone keeps its tags unique).
     */
    record Consume(String channelId, ActorRef<ConnectionProtocol> connection, int channel, String consumerTag,
                   boolean noAck, int prefetch, boolean exclusive, int priority, String ownerConnection)
            implements QueueCommand {}

    record Cancel(String channelId, String consumerTag, ActorRef<QueueReply> replyTo) implements QueueCommand {}

    /** Acks, requeues and discards (reject/nack requeue=false) of one channel, batched. */
    record Settle(String channelId, long[] acked, long[] requeued, long[] discarded) implements QueueCommand {}

    record Get(String channelId, ActorRef<ConnectionProtocol> connection, int channel, boolean noAck,
               String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand {}

    record Purge(String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand {}

    /**
     * Before queue.bind/unbind: Ok unless the queue is another connection's exclusive queue (405, RabbitMQ's text). A
     * missing queue answers Ok too: the topology reports it, after a missing exchange as RabbitMQ does.
     */
    record CheckExclusive(String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand {}

    record Delete(boolean ifUnused, boolean ifEmpty, String ownerConnection, ActorRef<QueueReply> replyTo) implements QueueCommand {}

    /** The channel is gone: drop its consumers and requeue everything it had unacked. */
    record ChannelClosed(String channelId) implements QueueCommand {}

    /** basic.recover: requeue everything the channel has unacked. */
    record Recover(String channelId) implements QueueCommand {}

    /** The owning connection of an exclusive queue closed. */
    record OwnerClosed(String ownerConnection) implements QueueCommand {}

    /** A dead-lettered message reached its targets (or had none). */
    record DeadLetterSettled(long[] seqs) implements QueueCommand {}

    /** A connection that had consumers or unacked messages here is gone (its node died, or it crashed). */
    record ConnectionTerminated(ActorRef<ConnectionProtocol> connection) implements QueueCommand {}

    /** Timer: the queue has been idle; passivate it if it still is. */
    enum IdleCheck implements QueueCommand { INSTANCE }

    /** The channel wrote this many no-ack deliveries of the consumer to its socket: window credit comes back. */
    record NoAckWritten(String channelId, String consumerTag, int count) implements QueueCommand {}

    /** Write what the commands handled since the last write produced (group commit). */
    enum Flush implements QueueCommand { INSTANCE }

    /**
     * The journal wrote (or failed to write) the row with this sequence number: {@link QueueJournal}'s writes answer
     * through a message adapter. An empty failure means written.
     */
    record Journalled(long seqNr, String failure) implements QueueCommand {
        public boolean written() {
            return failure.isEmpty();
        }
    }

    /** The snapshot store saved (or failed to save) the snapshot taken at this sequence number. */
    record SnapshotStored(long seqNr, boolean stored) implements QueueCommand {}

    /** Timer: expiry, x-expires. */
    enum Tick implements QueueCommand { INSTANCE }

    /** Sharding hand-off and passivation: stop after what is in the mailbox before it. */
    enum Stop implements QueueCommand { INSTANCE }
}
