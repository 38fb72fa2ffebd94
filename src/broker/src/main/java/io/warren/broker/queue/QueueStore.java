package io.warren.broker.queue;

import io.warren.broker.protocol.QueueCommand;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.pf.ReceiveBuilder;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SaveSnapshotFailure;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SnapshotOffer;

/**
 * A queue's journal and snapshots, through Pekko's public persistence API: a classic persistent actor, the child of
 * its {@link QueueEntity}, under the entity's persistence id ("queue|" + entity id) and the same events and snapshots,
 * so journals written by earlier versions recover unchanged.
 *
 * <p>Why a classic persistent actor and not {@code Effect().persist}: the typed behaviour stashes every command until
 * its write is durable, so a queue stood still for each database commit (that wait was the persistent workload's p99).
 * {@code persistAllAsync} does not stash: the entity keeps serving while one write is in flight, and Pekko keeps one
 * journal write in flight per actor. The group commit (gathering what comes during a write, leaving out messages
 * consumed before they were written, rows of up to 512 KiB) stays in {@link QueueJournal}, in the entity, which sends
 * the next {@link Persist} only once this store reported the previous one {@link QueueInternal.Written}: rows reach the
 * database in order and never more than one write waits.
 *
 * <p>Recovery (snapshot, then replay) builds the entity's state here and hands it over in
 * {@link QueueInternal.Recovered}; recoveries are throttled by Pekko's {@code max-concurrent-recoveries} as before.
 * A failed or rejected write, or a failed recovery, stops this store; the entity watches it. After a failed write
 * (told first, {@link QueueInternal.WriteFailed}) the entity keeps its state and write and starts a new store; after a
 * rejection, a key conflict or a failed first recovery it stops as well, and the next incarnation recovers from what
 * was written.
 *
 * <p>A store started to retry a failed write ({@code sequenceOnly}) does not replay anything: the entity kept its
 * state, and all it needs is the journal's highest sequence number, which {@link Recovery#none()} still reads. So a
 * retry costs one query however long the queue's journal is, where a full recovery of a queue holding 100,000
 * messages reads them all again on every attempt.
 */
final class QueueStore extends AbstractPersistentActor {

    /** Write these rows as one atomic write; the entity has nothing else in flight. */
    record Persist(List<QueueEntityEvent> rows) {}

    /**
     * Save this snapshot. The entity asks only between writes, so it is stored at the last durable sequence number;
     * one asked for while a write is in flight waits for it (a snapshot must never claim rows that are not written).
     */
    record SaveSnapshot(QueueEntitySnapshot snapshot) {}

    private final String persistenceId;
    private final ActorRef<QueueCommand> entity;
    /** Built during recovery, handed to the entity once recovery completes; never touched after that. */
    private QueueEntity.Holder recovering = new QueueEntity.Holder();
    private boolean writing;
    private QueueEntitySnapshot snapshotAfterWrite;
    private final boolean sequenceOnly;

    /** A store that recovers the queue: snapshot, then replay. */
    QueueStore(String persistenceId, ActorRef<QueueCommand> entity) {
        this(persistenceId, entity, false);
    }

    /** {@code sequenceOnly}: recover only the highest sequence number (a retry; the entity holds the state). */
    QueueStore(String persistenceId, ActorRef<QueueCommand> entity, boolean sequenceOnly) {
        this.persistenceId = persistenceId;
        this.entity = entity;
        this.sequenceOnly = sequenceOnly;
    }

    @Override
    public Recovery recovery() {
        return sequenceOnly ? Recovery.none() : Recovery.create();
    }

    @Override
    public String persistenceId() {
        return persistenceId;
    }

    @Override
    public Receive createReceiveRecover() {
        return ReceiveBuilder.create()
                .match(SnapshotOffer.class, o -> recovering = QueueEntity.Holder.fromSnapshot((QueueEntitySnapshot) o.snapshot()))
                .match(QueueEntityEvent.class, e -> recovering.replay(e))
                .match(RecoveryCompleted.class, c -> {
                    entity.tell(new QueueInternal.Recovered(recovering, lastSequenceNr()));
                    recovering = null;
                })
                .build();
    }

    @Override
    public Receive createReceive() {
        return ReceiveBuilder.create()
                .match(Persist.class, this::persist)
                .match(SaveSnapshot.class, s -> {
                    if (writing) snapshotAfterWrite = s.snapshot();
                    else saveSnapshot(s.snapshot());
                })
                .match(SaveSnapshotSuccess.class, s -> entity.tell(new QueueInternal.SnapshotStored(s.metadata().sequenceNr(), true)))
                .match(SaveSnapshotFailure.class, f -> {
                    getContext().getSystem().log().warning("{}: saving a snapshot failed: {}", persistenceId, f.cause());
                    entity.tell(new QueueInternal.SnapshotStored(f.metadata().sequenceNr(), false));
                })
                .build();
    }

    private void persist(Persist p) {
        if (writing) throw new IllegalStateException(persistenceId + ": a second write while one is in flight");
        writing = true;
        // lastSequenceNr() moves only as rows are written: before this write it is the last durable one.
        long upTo = lastSequenceNr() + p.rows().size();
        persistAllAsync(p.rows(), row -> {});
        // Runs after the handlers of every row above, i.e. once the whole write is durable.
        deferAsync(upTo, seqNr -> {
            writing = false;
            if (snapshotAfterWrite != null) {
                saveSnapshot(snapshotAfterWrite);
                snapshotAfterWrite = null;
            }
            entity.tell(new QueueInternal.Written(seqNr));
        });
    }

    /**
     * The snapshot or the replay could not be read (the database is down, or the rows cannot be read); Pekko stops
     * this store after this. Pekko's default logs an error per attempt; the entity, which retries, logs once per
     * outage instead.
     */
    @Override
    public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
        getContext().getSystem().log().debug("{}: recovery failed: {}", persistenceId, cause);
    }

    /** Pekko only logs a rejected write and carries on; the queue must not wait forever for it. */
    @Override
    public void onPersistRejected(Throwable cause, Object event, long seqNr) {
        super.onPersistRejected(cause, event, seqNr);
        entity.tell(new QueueInternal.WriteFailed("rejected: " + cause, false));
        getContext().stop(getSelf());
    }

    /**
     * The database failed the write; Pekko stops this store after this. The entity hears it first: a failure of the
     * database is retried by a new store, a key conflict (another writer) is not.
     */
    @Override
    public void onPersistFailure(Throwable cause, Object event, long seqNr) {
        boolean conflict = io.warren.broker.alarm.JournalFailures.isConflict(cause);
        entity.tell(new QueueInternal.WriteFailed((conflict ? "conflict: " : "failed: ") + cause, !conflict));
        if (conflict) {
            super.onPersistFailure(cause, event, seqNr);
        } else {
            getContext().getSystem().log().debug("{}: journal write at {} failed, the queue retries: {}", persistenceId, seqNr, cause);
        }
    }
}
