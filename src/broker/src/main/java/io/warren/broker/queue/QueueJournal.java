package io.warren.broker.queue;

import io.warren.core.queue.QueueEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * A recovered queue's group commit, in front of its {@link QueueStore}. Pekko's {@code Effect().persist} stashes every
 * command until its write is done, so a queue stood still for each H2 commit and the commands behind it waited (the
 * persistent workload's p99). Here the entity goes on serving while a write is in flight: the events of the commands
 * handled meanwhile gather and leave as the next write once this one is done (group commit), minus the messages
 * consumed before they were written. One write is in flight at a time: rows reach the database in order, and a longer
 * wait lets more enqueues cancel against their acks (two in flight measured slower). What waits for the disk
 * (confirms, replies, dead letters) runs in command order when the write holding its events is durable.
 *
 * <p>Every write is reported to the node's journal alarm ({@link io.warren.broker.alarm.JournalWrites}): started,
 * succeeded, failed. A write that FAILS (the database is down or hangs) stops the store, but not the queue: the queue
 * keeps its state and the write (same rows), the entity starts a new store after a backoff (100 ms doubling to
 * 500 ms), and once that store has recovered, {@link #storeRecovered} either finds the write already durable (one
 * atomic write: all rows or none) or sends the same rows again. Meanwhile the queue goes on serving consumers and
 * what waits for the write keeps waiting; the journal alarm blocks publishers. A rejected write (it cannot be
 * serialised) or a key conflict (another writer) still stops the queue, which recovers from what was written.
 *
 * <p>Snapshots are asked for here too, right when a write completes, so at the last durable sequence number. The state
 * may already hold the effects of events still pending; replaying them over it is harmless (an Enqueued puts the same
 * entry, a Removed removes it), and a message whose Enqueued never got written was never confirmed. After a snapshot
 * the {@link JournalCompactor} deletes the rows it covers.
 *
 * <p>The store is reached through {@link Store}, so these rules run (and are tested) without actors.
 */
final class QueueJournal {

    /** Rows of up to this many bytes of events (a bigger single event gets a row of its own). */
    static final long BATCH_BYTES = 512 * 1024;
    /** Snapshots are one row: a queue holding more than this is not snapshotted until it shrinks (see below). */
    private static final long SNAPSHOT_MAX_MESSAGES = 50_000, SNAPSHOT_MAX_BYTES = 16L << 20;

    /** Where the rows and snapshots go: the queue's {@link QueueStore}, which answers Written and SnapshotStored. */
    interface Store {
        void persist(List<QueueEntityEvent> rows);

        void saveSnapshot(QueueEntitySnapshot snapshot);
    }

    private final String persistenceId;
    private final Store store;
    /** Deletes the rows and older snapshots a stored snapshot covers: the node's {@link JournalCompactor}. */
    private final LongConsumer compact;
    private final int snapshotEvery;
    private long durableTo;
    /** What waits for the write in flight (null: none in flight). */
    private List<Runnable> inFlight;
    private final List<QueueEntityEvent> pendingEvents = new ArrayList<>();
    private final List<Runnable> pendingAfters = new ArrayList<>();
    /** The rows of the write in flight (kept to send again after a failure) and the queue events in them. */
    private List<QueueEntityEvent> inFlightRows;
    private int inFlightEvents;
    private long eventsSinceSnapshot;
    private boolean snapshotInFlight;
    /** Reports writes to the node's journal alarm. */
    private final io.warren.broker.alarm.JournalWrites health;
    /** Failed attempts of the write in flight (0: none failed). */
    private int failedAttempts;

    QueueJournal(String persistenceId, Store store, LongConsumer compact, int snapshotEvery) {
        this(persistenceId, store, compact, snapshotEvery, new io.warren.broker.alarm.JournalWrites());
    }

    QueueJournal(String persistenceId, Store store, LongConsumer compact, int snapshotEvery,
                 io.warren.broker.alarm.JournalWrites health) {
        this.health = health;
        this.persistenceId = persistenceId;
        this.store = store;
        this.compact = compact;
        this.snapshotEvery = snapshotEvery;
    }

    /** Recovery is done at this sequence number: writes continue after it. */
    void recovered(long lastSequenceNr) {
        durableTo = lastSequenceNr;
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
        if (inFlight != null || (pendingEvents.isEmpty() && pendingAfters.isEmpty())) return;
        List<QueueEntityEvent> rows = batched(pendingEvents);
        List<Runnable> afters = new ArrayList<>(pendingAfters);
        pendingEvents.clear();
        pendingAfters.clear();
        if (rows.isEmpty()) { // nothing to write, or every message in it was consumed already
            afters.forEach(Runnable::run);
            return;
        }
        int events = 0;
        for (QueueEntityEvent row : rows) {
            events += row instanceof QueueEntityEvent.Batch b ? b.events().size() : 1;
        }
        eventsSinceSnapshot += events;
        inFlight = afters;
        inFlightRows = rows;
        inFlightEvents = events;
        send();
    }

    private void send() {
        health.started(persistenceId);
        store.persist(inFlightRows);
    }

    /** The queue stopped: the node's journal alarm no longer waits for its write. */
    void stopped() {
        health.forget(persistenceId);
    }

    /** The store's write (or the recovery of a new store) failed; the write stays in flight and is sent again. */
    void onFailed(String cause) {
        health.failed(persistenceId, cause);
        failedAttempts++;
    }

    /** How long to wait before the next store is started: 100 ms, doubling, at most 500 ms. */
    long retryDelayMillis() {
        return Math.min(500, 100L << Math.min(Math.max(failedAttempts - 1, 0), 8));
    }

    int failedAttempts() {
        return failedAttempts;
    }

    /**
     * A new store recovered up to {@code lastSequenceNr} after a failure. The write in flight was one atomic write: if
     * the journal holds it, it is done (what waited for it runs); if not, its rows are sent again. Anything else means
     * another writer: the caller stops the queue.
     */
    void storeRecovered(long lastSequenceNr) {
        snapshotInFlight = false; // a snapshot asked of the failed store is never answered
        if (inFlight == null) {
            durableTo = lastSequenceNr;
            return;
        }
        long expected = durableTo + inFlightRows.size();
        if (lastSequenceNr == expected) {
            onWritten(lastSequenceNr);
        } else if (lastSequenceNr == durableTo) {
            send();
        } else {
            throw new IllegalStateException(persistenceId + ": the journal holds sequence " + lastSequenceNr
                    + " after a failed write of " + durableTo + "+" + inFlightRows.size());
        }
    }

    /** The write in flight is durable up to this sequence number: what waited for it runs. */
    void onWritten(long seqNr) {
        if (inFlight == null) throw new IllegalStateException(persistenceId + ": written " + seqNr + " with no write in flight");
        List<Runnable> done = inFlight;
        health.succeeded(persistenceId, inFlightEvents);
        failedAttempts = 0;
        inFlight = null;
        inFlightRows = null;
        durableTo = seqNr;
        done.forEach(Runnable::run);
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
        store.saveSnapshot(snapshot.get());
    }

    /** The snapshot is stored: the rows and older snapshots it covers can go. */
    void onSnapshotStored(QueueInternal.SnapshotStored s) {
        snapshotInFlight = false;
        if (s.stored()) compact.accept(s.seqNr());
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
