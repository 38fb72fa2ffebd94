package io.warren.broker.queue;

import io.warren.core.queue.QueueEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A recovered queue's journal writer. Pekko's {@code Effect().persist} stashes every command until its write is
 * done, so a queue stood still for each H2 commit and the commands behind it waited (the persistent workload's p99).
 * This writer sends the rows to the same journal plugin itself, with the sequence numbers recovery continues from,
 * while the entity goes on serving: the events of the commands handled meanwhile gather and leave as the next write
 * once this one is done (group commit), minus the messages consumed before they were written. One write is in flight
 * at a time: rows reach the database in order, and a longer wait lets more enqueues cancel against their acks (two
 * in flight measured slower). What waits for the disk (confirms, replies, dead letters) runs in command order when
 * the write holding its events is durable; a failed write stops the queue, which recovers from what was written.
 *
 * <p>Snapshots are taken here too, at the last durable sequence number. The state may already hold the effects of
 * events still pending; replaying them over it is harmless (an Enqueued puts the same entry, a Removed removes it),
 * and a message whose Enqueued never got written was never confirmed. After a snapshot the {@link JournalCompactor}
 * deletes the rows it covers.
 */
final class QueueJournal {

    /** Rows of up to this many bytes of events (a bigger single event gets a row of its own). */
    static final long BATCH_BYTES = 512 * 1024;
    /** A failed write is sent again after this long, doubling up to the maximum (the journal alarm is up meanwhile). */
    private static final long RETRY_FIRST_MILLIS = 100, RETRY_MAX_MILLIS = 500;
    private static final long RETRY_SLACK_NANOS = 50_000_000L;
    private static final String CONFLICT = "conflict: ";
    /** Snapshots are one row: a queue holding more than this is not snapshotted until it shrinks (see below). */
    private static final long SNAPSHOT_MAX_MESSAGES = 50_000, SNAPSHOT_MAX_BYTES = 16L << 20;

    private record Write(long lastSeqNr, List<Runnable> afters, List<PersistentEnvelope> rows, int events) {}

    private final String persistenceId;
    private final String writerUuid = UUID.randomUUID().toString();
    private final org.apache.pekko.actor.ActorRef journal, snapshotStore, journalReplies, snapshotReplies;
    private final ActorRef<JournalCompactor.Command> compactor;
    private final int snapshotEvery;
    private long lastSeqNr;
    private long durableTo;
    private Write inFlight;
    private final List<QueueEntityEvent> pendingEvents = new ArrayList<>();
    private final List<Runnable> pendingAfters = new ArrayList<>();
    private long eventsSinceSnapshot;
    private boolean snapshotInFlight;
    /** Reports writes to the node's journal alarm; a failed write is kept and sent again (see {@link #onJournalled}). */
    private final io.warren.broker.alarm.JournalWrites health;
    private final ActorContext<QueueCommand> ctx;
    private int failedAttempts;
    private long retryAt;

    QueueJournal(ActorContext<QueueCommand> ctx, String persistenceId, ActorRef<JournalCompactor.Command> compactor,
                 int snapshotEvery, io.warren.broker.alarm.JournalWrites health) {
        this.ctx = ctx;
        this.health = health;
        this.persistenceId = persistenceId;
        this.compactor = compactor;
        this.snapshotEvery = snapshotEvery;
        Persistence persistence = Persistence.get(Adapter.toClassic(ctx.getSystem()));
        this.journal = persistence.journalFor("", com.typesafe.config.ConfigFactory.empty());
        this.snapshotStore = persistence.snapshotStoreFor("", com.typesafe.config.ConfigFactory.empty());
        this.journalReplies = Adapter.toClassic(ctx.messageAdapter(JournalProtocol.Response.class, QueueJournal::journalled));
        this.snapshotReplies = Adapter.toClassic(ctx.messageAdapter(SnapshotProtocol.Response.class,
                r -> r instanceof SaveSnapshotSuccess s ? new QueueCommand.SnapshotStored(s.metadata().sequenceNr(), true)
                        : new QueueCommand.SnapshotStored(0, false)));
    }

    /** Recovery is done at this sequence number: writes continue after it. */
    void recovered(long lastSequenceNr) {
        lastSeqNr = lastSequenceNr;
        durableTo = lastSequenceNr;
    }

    private static QueueCommand.Journalled journalled(JournalProtocol.Response r) {
        if (r instanceof JournalProtocol.WriteMessageSuccess s) return new QueueCommand.Journalled(s.persistent().sequenceNr(), "");
        if (r instanceof JournalProtocol.WriteMessageFailure f) {
            return new QueueCommand.Journalled(f.message().sequenceNr(),
                    (io.warren.broker.alarm.JournalFailures.isConflict(f.cause()) ? CONFLICT : "failed: ") + f.cause());
        }
        if (r instanceof JournalProtocol.WriteMessageRejected f) {
            return new QueueCommand.Journalled(f.message().sequenceNr(), "rejected: " + f.cause());
        }
        // WriteMessagesSuccessful/Failed sum up the write; the per-row answers that follow decide.
        return new QueueCommand.Journalled(0, "");
    }

    /** Nothing written, pending or waiting: a stopping queue may stop. */
    boolean idle() {
        return inFlight == null && pendingEvents.isEmpty() && pendingAfters.isEmpty();
    }

    /**
     * Adds a command's events and what waits for them (may be null). With nothing pending or in flight and no events,
     * {@code after} runs at once; otherwise returns true: a {@link #flush} is due.
     */
    boolean add(List<QueueEntityEvent> events, Runnable after) {
        if (events.isEmpty() && idle()) {
            if (after != null) after.run();
            return false;
        }
        pendingEvents.addAll(events);
        if (after != null) pendingAfters.add(after);
        return true;
    }

    /** Sends what is pending unless a write is in flight (it then leaves when that write is done). */
    void flush() {
        // Its retry is due (the timer may fire a scheduler tick early: a few ms of slack, or the retry never leaves).
        if (inFlight != null && failedAttempts > 0 && System.nanoTime() >= retryAt - RETRY_SLACK_NANOS) {
            retryAt = Long.MAX_VALUE;
            send(inFlight);
        }
        if (inFlight != null || (pendingEvents.isEmpty() && pendingAfters.isEmpty())) return;
        List<QueueEntityEvent> rows = batched(pendingEvents);
        List<Runnable> afters = new ArrayList<>(pendingAfters);
        pendingEvents.clear();
        pendingAfters.clear();
        if (rows.isEmpty()) { // nothing to write, or every message in it was consumed already
            afters.forEach(Runnable::run);
            return;
        }
        long now = System.currentTimeMillis();
        List<PersistentRepr> reprs = new ArrayList<>(rows.size());
        int events = 0;
        for (QueueEntityEvent row : rows) {
            int n = row instanceof QueueEntityEvent.Batch b ? b.events().size() : 1;
            events += n;
            eventsSinceSnapshot += n;
            reprs.add(PersistentRepr$.MODULE$.apply(row, ++lastSeqNr, persistenceId, "", false,
                    org.apache.pekko.actor.ActorRef.noSender(), writerUuid).withTimestamp(now));
        }
        List<PersistentEnvelope> write = List.of(new AtomicWrite(CollectionConverters.asScala(reprs).toList()));
        inFlight = new Write(lastSeqNr, afters, write, events);
        send(inFlight);
    }

    private void send(Write w) {
        health.started(persistenceId);
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(w.rows()).toList(), journalReplies, 1),
                org.apache.pekko.actor.ActorRef.noSender());
    }

    /** The queue stopped: the node's journal alarm no longer waits for its write. */
    void stopped() {
        health.forget(persistenceId);
    }

    /**
     * A row was written (or not): once the in-flight write's last row is, what waited for it runs and this returns
     * true; the caller then {@link #flush}es what gathered meanwhile.
     */
    boolean onJournalled(QueueCommand.Journalled j) {
        if (!j.written() && (!j.failure().startsWith("failed: ") || inFlight == null)) {
            // Rejected (cannot be serialised), or a retry found its rows written by an attempt whose answer was lost
            // (or by another incarnation): recover from what the journal holds.
            throw new IllegalStateException("journal write of " + persistenceId + " at " + j.seqNr() + " " + j.failure());
        }
        if (inFlight == null || j.seqNr() != inFlight.lastSeqNr()) return false;
        if (!j.written()) {
            // The database is down or hangs: keep the write (same rows, same sequence numbers) and send it again, so
            // the queue goes on serving consumers and keeps what waits for the write; the journal alarm blocks
            // publishers meanwhile. The retry goes out from flush(), at most RETRY_MAX_MILLIS apart.
            health.failed(persistenceId, j.failure());
            long delayMillis = Math.min(RETRY_MAX_MILLIS, RETRY_FIRST_MILLIS << Math.min(failedAttempts, 8));
            failedAttempts++;
            retryAt = System.nanoTime() + delayMillis * 1_000_000;
            ctx.scheduleOnce(java.time.Duration.ofMillis(delayMillis), ctx.getSelf(), QueueCommand.Flush.INSTANCE);
            if (failedAttempts == 1) ctx.getLog().debug("journal write of {} failed, retrying: {}", persistenceId, j.failure());
            return false;
        }
        if (failedAttempts > 0) ctx.getLog().debug("journal write of {} succeeded after {} retries", persistenceId, failedAttempts);
        failedAttempts = 0;
        Write done = inFlight;
        health.succeeded(persistenceId, done.events());
        inFlight = null;
        durableTo = done.lastSeqNr();
        done.afters().forEach(Runnable::run);
        return true;
    }

    /**
     * Snapshots once the events written since the last snapshot outnumber four times the messages held (and at least
     * warren.persistence.snapshot-every): a drained queue snapshots often and keeps a tiny journal, while a queue
     * with a big backlog is not serialised over and over. A queue holding hundreds of megabytes would write a
     * snapshot row for longer than the store's circuit breaker waits; it snapshots once it has shrunk, its journal
     * meanwhile holding about what a snapshot would.
     */
    void maybeSnapshot(long held, long readyBytes, Supplier<QueueEntitySnapshot> snapshot) {
        if (snapshotInFlight || durableTo == 0) return;
        if (eventsSinceSnapshot < Math.max(snapshotEvery, 4 * held)) return;
        if (held > SNAPSHOT_MAX_MESSAGES || readyBytes > SNAPSHOT_MAX_BYTES) return;
        eventsSinceSnapshot = 0;
        snapshotInFlight = true;
        snapshotStore.tell(new SnapshotProtocol.SaveSnapshot(
                new SnapshotMetadata(persistenceId, durableTo, System.currentTimeMillis()), snapshot.get()), snapshotReplies);
    }

    /** The snapshot is stored: the rows and older snapshots it covers can go. */
    void onSnapshotStored(QueueCommand.SnapshotStored s) {
        snapshotInFlight = false;
        if (s.stored()) compactor.tell(new JournalCompactor.Compact(persistenceId, s.seqNr()));
    }

    /**
     * Runs of core events become {@link QueueEntityEvent.Batch} rows of at most {@link #BATCH_BYTES}, in order, without
     * the messages that were both enqueued and removed within the run (see {@link #withoutConsumed}).
     */
    static List<QueueEntityEvent> batched(List<QueueEntityEvent> events) {
        List<QueueEntityEvent> rows = new ArrayList<>();
        List<QueueEvent> run = new ArrayList<>();
        for (QueueEntityEvent e : events) {
            if (e instanceof QueueEntityEvent.Journal j) {
                run.add(j.event());
            } else {
                addRows(rows, run);
                run = new ArrayList<>();
                rows.add(e);
            }
        }
        addRows(rows, run);
        return rows;
    }

    private static void addRows(List<QueueEntityEvent> rows, List<QueueEvent> run) {
        List<QueueEvent> row = new ArrayList<>();
        long bytes = 0;
        for (QueueEvent e : withoutConsumed(run)) {
            long size = e instanceof QueueEvent.Enqueued en ? 256L + en.message().body().size() : 64L;
            if (!row.isEmpty() && bytes + size > BATCH_BYTES) {
                rows.add(new QueueEntityEvent.Batch(row));
                row = new ArrayList<>();
                bytes = 0;
            }
            row.add(e);
            bytes += size;
        }
        if (!row.isEmpty()) rows.add(new QueueEntityEvent.Batch(row));
    }

    /**
     * A message enqueued and removed (acked, auto-acked, expired...) before its Enqueued reached the journal need
     * never be written: both events go, as RabbitMQ skips writing messages consumed before they hit the disk. Its
     * confirm still waits for this write, which holds whatever else the same commands wrote.
     */
    static List<QueueEvent> withoutConsumed(List<QueueEvent> run) {
        Set<Long> enqueued = null;
        boolean anyRemoved = false;
        for (QueueEvent e : run) {
            if (e instanceof QueueEvent.Enqueued en) {
                if (enqueued == null) enqueued = new HashSet<>();
                enqueued.add(en.seq());
            } else if (enqueued != null) {
                anyRemoved = true;
            }
        }
        if (!anyRemoved) return run;
        Set<Long> consumed = new HashSet<>();
        List<QueueEvent> kept = new ArrayList<>(run.size());
        for (QueueEvent e : run) {
            if (e instanceof QueueEvent.Removed r) {
                long[] left = new long[r.seqs().length];
                int n = 0;
                for (long seq : r.seqs()) {
                    if (enqueued.contains(seq)) consumed.add(seq);
                    else left[n++] = seq;
                }
                if (n > 0) kept.add(n == left.length ? r : new QueueEvent.Removed(Arrays.copyOf(left, n)));
            } else {
                kept.add(e);
            }
        }
        if (consumed.isEmpty()) return run;
        kept.removeIf(e -> e instanceof QueueEvent.Enqueued en && consumed.contains(en.seq()));
        return kept;
    }
}
