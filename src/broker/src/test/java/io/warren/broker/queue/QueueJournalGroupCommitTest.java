package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.BasicProperties;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The queue journal's rules without actors, over an in-memory {@link QueueJournal.Store} that records what the
 * {@link QueueStore} would be asked to do: one write in flight, group commit of what gathers meanwhile, what waits
 * for the disk released in command order, snapshots only between writes, compaction after a stored snapshot.
 */
class QueueJournalGroupCommitTest {

    /** Records writes and snapshots in the order they reach the store. */
    private static final class RecordingStore implements QueueJournal.Store {
        final List<Object> calls = new ArrayList<>();

        @Override
        public void persist(List<QueueEntityEvent> rows) {
            calls.add(rows);
        }

        @Override
        public void saveSnapshot(QueueEntitySnapshot snapshot) {
            calls.add(snapshot);
        }
    }

    private final RecordingStore store = new RecordingStore();
    private final List<Long> compacted = new ArrayList<>();
    private final QueueJournal journal = new QueueJournal("queue|test", store, compacted::add, 4);
    private final List<String> released = new ArrayList<>();

    private static QueueEntityEvent enqueued(long seq) {
        return new QueueEntityEvent.Journal(new QueueEvent.Enqueued(seq, new Message("m" + seq, "", "q",
                BasicProperties.EMPTY.withDeliveryMode(2), ByteString.fromString("body")), 1));
    }

    private static QueueEntityEvent removed(long... seqs) {
        return new QueueEntityEvent.Journal(new QueueEvent.Removed(seqs));
    }

    private Runnable release(String what) {
        return () -> released.add(what);
    }

    @SuppressWarnings("unchecked")
    private List<QueueEvent> eventsOfWrite(int call) {
        List<QueueEvent> events = new ArrayList<>();
        for (QueueEntityEvent row : (List<QueueEntityEvent>) store.calls.get(call)) {
            events.addAll(((QueueEntityEvent.Batch) row).events());
        }
        return events;
    }

    @Test
    void oneWriteInFlightAndWhatGathersMeanwhileLeavesTogetherAfterIt() {
        journal.recovered(10);
        assertTrue(journal.add(List.of(enqueued(1)), release("confirm 1")));
        journal.flush();
        assertEquals(1, store.calls.size());
        // Commands handled while the write is in flight gather; a flush does not send them yet.
        assertTrue(journal.add(List.of(enqueued(2)), release("confirm 2")));
        assertTrue(journal.add(List.of(enqueued(3)), release("confirm 3")));
        journal.flush();
        assertEquals(1, store.calls.size());
        assertEquals(List.of(), released);
        assertFalse(journal.idle());

        journal.onWritten(11);
        assertEquals(List.of("confirm 1"), released);
        journal.flush();
        assertEquals(2, store.calls.size());
        assertEquals(2, eventsOfWrite(1).size(), "one write for both commands: " + eventsOfWrite(1));
        journal.onWritten(12);
        assertEquals(List.of("confirm 1", "confirm 2", "confirm 3"), released);
        assertTrue(journal.idle());
    }

    @Test
    void messagesAckedBeforeTheirWriteLeavesAreNeverWrittenButTheirConfirmStillWaits() {
        journal.recovered(0);
        journal.add(List.of(enqueued(1)), release("confirm 1"));
        journal.flush();
        journal.add(List.of(enqueued(2)), release("confirm 2"));
        journal.add(List.of(removed(1, 2)), release("ack reply")); // 2 consumed before written, 1 already written
        journal.onWritten(1);
        journal.flush();
        assertEquals(List.of(new QueueEvent.Removed(new long[] {1})), eventsOfWrite(1));
        assertEquals(List.of("confirm 1"), released);
        journal.onWritten(2);
        assertEquals(List.of("confirm 1", "confirm 2", "ack reply"), released);
    }

    @Test
    void withNothingPendingAReplyRunsAtOnceAndANothingToWriteReleasesWithoutAWrite() {
        journal.recovered(5);
        assertFalse(journal.add(List.of(), release("reply")));
        assertEquals(List.of("reply"), released);
        journal.add(List.of(enqueued(1), removed(1)), release("confirm"));
        journal.flush();
        assertEquals(List.of(), store.calls, "a message consumed before it was written leaves nothing to write");
        assertEquals(List.of("reply", "confirm"), released);
    }

    @Test
    void snapshotsAreTakenOnlyBetweenWritesOnceEnoughEventsWereWrittenAndThenCompact() {
        journal.recovered(0);
        QueueEntitySnapshot snapshot = new QueueEntitySnapshot(new QueueDefinition("/", "q", true, false, false, Map.of()), null);
        journal.maybeSnapshot(0, 0, () -> snapshot);
        assertEquals(List.of(), store.calls, "nothing durable yet");
        journal.add(List.of(enqueued(1), enqueued(2), enqueued(3)), null);
        journal.flush();
        journal.onWritten(1);
        journal.maybeSnapshot(3, 12, () -> snapshot);
        assertEquals(1, store.calls.size(), "3 events written, below snapshot-every (4)");
        journal.add(List.of(removed(1, 2, 3)), null);
        journal.flush();
        journal.onWritten(2);
        journal.maybeSnapshot(0, 0, () -> snapshot);
        assertEquals(3, store.calls.size());
        assertInstanceOf(QueueEntitySnapshot.class, store.calls.get(2));
        journal.maybeSnapshot(0, 0, () -> snapshot);
        assertEquals(3, store.calls.size(), "one snapshot in flight at a time");
        journal.onSnapshotStored(new QueueInternal.SnapshotStored(2, true));
        assertEquals(List.of(2L), compacted);
        journal.onSnapshotStored(new QueueInternal.SnapshotStored(0, false));
        assertEquals(List.of(2L), compacted, "a failed snapshot compacts nothing");
    }

    @Test
    void aBigQueueIsNotSnapshottedUntilItShrinks() {
        journal.recovered(1);
        List<QueueEntityEvent> many = new ArrayList<>();
        for (int i = 1; i <= 200_001; i++) many.add(enqueued(i));
        journal.add(many, null);
        journal.flush();
        journal.onWritten(2);
        journal.maybeSnapshot(50_001, 1_000_000, () -> {
            throw new AssertionError("not snapshotted above 50,000 messages");
        });
    }

    @Test
    void aWrittenAnswerWithoutAWriteInFlightIsABug() {
        assertThrows(IllegalStateException.class, () -> journal.onWritten(3));
    }

    @Test
    void aFailedWriteIsSentAgainToTheNextStoreUnlessItsRecoveryShowsItWritten() {
        journal.recovered(10);
        journal.add(List.of(enqueued(1)), release("confirm 1"));
        journal.flush();
        journal.add(List.of(enqueued(2)), release("confirm 2"));
        journal.onFailed("failed: down");
        assertEquals(100, journal.retryDelayMillis());
        journal.onFailed("failed: still down");
        assertEquals(200, journal.retryDelayMillis());
        for (int i = 0; i < 5; i++) journal.onFailed("failed: still down");
        assertEquals(500, journal.retryDelayMillis());
        // The new store recovered to 10: nothing of the write is there, the same rows go again.
        journal.storeRecovered(10);
        assertEquals(2, store.calls.size());
        assertEquals(store.calls.get(0), store.calls.get(1));
        assertEquals(List.of(), released);
        journal.onFailed("failed: down again");
        // This time the write went through before its answer was lost: it is done, what gathered leaves next.
        journal.storeRecovered(11);
        assertEquals(List.of("confirm 1"), released);
        assertEquals(0, journal.failedAttempts());
        journal.flush();
        assertEquals(3, store.calls.size());
        journal.onWritten(12);
        assertEquals(List.of("confirm 1", "confirm 2"), released);
        assertTrue(journal.idle());
    }

    @Test
    void aJournalHoldingPartOfAFailedWriteOrAnotherWritersRowsStopsTheQueue() {
        journal.recovered(10);
        journal.add(List.of(enqueued(1)), release("confirm 1"));
        journal.flush();
        journal.onFailed("failed: down");
        assertThrows(IllegalStateException.class, () -> journal.storeRecovered(12));
    }
}
