package io.warren.broker.queue;

import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.ConnectionProtocol;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a queue entity tells itself: timers, adapted answers and its {@link QueueStore}'s reports. They never leave
 * the node, so they are package-private and have no wire format (they are not WarrenSerializable).
 */
sealed interface QueueInternal extends QueueCommand.NodeLocal {

    /** A dead-lettered message reached its targets (or had none). */
    record DeadLetterSettled(long[] seqs) implements QueueInternal {}

    /** A connection that had consumers or unacked messages here is gone (its node died, or it crashed). */
    record ConnectionTerminated(ActorRef<ConnectionProtocol> connection) implements QueueInternal {}

    /** Timer: the queue has been idle; passivate it if it still is. */
    enum IdleCheck implements QueueInternal { INSTANCE }

    /** Timer: expiry, x-expires. */
    enum Tick implements QueueInternal { INSTANCE }

    /** Write what the commands handled since the last write produced (group commit). */
    enum Flush implements QueueInternal { INSTANCE }

    /** Sharding hand-off and passivation: stop after what is in the mailbox before it (see {@link QueueEntity#STOP}). */
    enum Stop implements QueueInternal { INSTANCE }

    /**
     * The store recovered the queue to this sequence number. The holder was built by the store's replay and is handed
     * over here once: the store never touches it again, the entity owns it from now on.
     */
    record Recovered(QueueEntity.Holder holder, long seqNr) implements QueueInternal {}

    /** The store's write in flight is durable, up to this sequence number. */
    record Written(long seqNr) implements QueueInternal {}

    /** The store saved (or failed to save) the snapshot taken at this sequence number. */
    record SnapshotStored(long seqNr, boolean stored) implements QueueInternal {}

    /**
     * The store stopped: its recovery or a write failed. After a {@link WriteFailed} that may be retried, the queue
     * starts a new store and keeps its write; otherwise it stops too and recovers from what was written.
     */
    enum StoreStopped implements QueueInternal { INSTANCE }

    /**
     * The store's write failed (sent just before the store stops): {@code retry} for a failure of the database (down,
     * hanging, refusing connections), false for a rejection (cannot be serialised) or a key conflict (another writer).
     */
    record WriteFailed(String cause, boolean retry) implements QueueInternal {}

    /** Timer: start a new store after a failed write (or a failed recovery of a restarted store). */
    enum RespawnStore implements QueueInternal { INSTANCE }

    /** Timer: ask channels that went quiet whether the last numbered delivery message to them arrived. */
    enum ProbeDeliveries implements QueueInternal { INSTANCE }

    /** Timer: the node's gate ({@code NodeFence}) was shut; send the held write and deliveries if it is open again. */
    enum FenceCheck implements QueueInternal { INSTANCE }
}
