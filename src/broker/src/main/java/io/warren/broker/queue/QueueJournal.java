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
 * (confirms, replies, dead letters) runs in command order when the write holding its events is durable; a failed write
 * stops the store and with it the queue, which recovers from what was written.
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
    private long eventsSinceSnapshot;
    private boolean snapshotInFlight;

    QueueJournal(String persistenceId, Store store, LongConsumer compact, int snapshotEvery) {
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
        for (QueueEntityEvent row : rows) {
            eventsSinceSnapshot += row instanceof QueueEntityEvent.Batch b ? b.events().size() : 1;
        }
        inFlight = afters;
        store.persist(rows);
    }

    /** The write in flight is durable up to this sequence number: what waited for it runs. */
    void onWritten(long seqNr) {
        if (inFlight == null) throw new IllegalStateException(persistenceId + ": written " + seqNr + " with no write in flight");
        List<Runnable> done = inFlight;
        inFlight = null;
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
