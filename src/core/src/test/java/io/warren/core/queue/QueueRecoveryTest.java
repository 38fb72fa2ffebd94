package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueRecoveryTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");

    /** A durable queue with history: p1 acked, p2 unacked, p3 and p4 ready, t1 transient. */
    private static QueueState withHistory(List<QueueEvent> journalOut) {
        QueueState q = durableQueue(Map.of());
        q.publish(persistent("p1"), 100);
        q.publish(persistent("p2"), 101);
        q.publish(msg("t1"), 102);
        q.publish(persistent("p3"), 103);
        q.publish(persistent("p4"), 104);
        GetResult g1 = q.get("ch1", false, 105).orElseThrow();
        q.get("ch1", false, 105).orElseThrow();
        q.ack("ch1", new long[] {g1.deliveryId()});
        journalOut.addAll(journal(q.takeEffects()));
        return q;
    }

    /** Gets every ready message; recovered ones (ids p1..p4) must be flagged redelivered. */
    private static List<String> drain(QueueState q) {
        List<String> out = new ArrayList<>();
        Optional<GetResult> g;
        while ((g = q.get("chX", true, 200)).isPresent()) {
            String id = g.get().message().id();
            assertEquals(!id.equals("p5"), g.get().redelivered(), id);
            out.add(id);
        }
        return out;
    }

    @Test
    void replayingTheJournalRebuildsPersistentMessagesInOrder() {
        List<QueueEvent> journal = new ArrayList<>();
        withHistory(journal);
        QueueState recovered = new QueueState(def(true, Map.of()), QueueArguments.NONE);
        journal.forEach(recovered::replay);
        assertEquals(3, recovered.messageCount());
        assertEquals(List.of("p2", "p3", "p4"), drain(recovered));
    }

    @Test
    void snapshotHoldsPersistentMessagesIncludingUnackedAndTheSeqCounter() {
        List<QueueEvent> journal = new ArrayList<>();
        QueueState q = withHistory(journal);
        QueueSnapshot snap = q.snapshot();
        assertEquals(List.of("p2", "p3", "p4"), snap.messages().stream().map(e -> e.message().id()).toList());
        assertEquals(List.of(101L, 103L, 104L), snap.messages().stream().map(QueueSnapshot.Entry::enqueuedAt)
                .toList());
        QueueState restored = QueueState.fromSnapshot(def(true, Map.of()), QueueArguments.NONE, snap);
        restored.publish(persistent("p5"), 150);
        List<QueueEvent> after = journal(restored.takeEffects());
        long newSeq = ((QueueEvent.Enqueued) after.get(0)).seq();
        assertTrue(newSeq >= snap.nextSeq(), "seqs keep increasing across a snapshot");
        assertTrue(snap.messages().stream().allMatch(e -> e.seq() < newSeq));
        assertEquals(List.of("p2", "p3", "p4", "p5"), drain(restored));
    }

    @Test
    void eventsAfterASnapshotReplayOnTopOfIt() {
        List<QueueEvent> journal = new ArrayList<>();
        QueueState q = withHistory(journal);
        QueueSnapshot snap = q.snapshot();
        q.publish(persistent("p5"), 150);
        q.purge(); // removes p3 p4 p5
        List<QueueEvent> later = journal(q.takeEffects());
        QueueState restored = QueueState.fromSnapshot(def(true, Map.of()), QueueArguments.NONE, snap);
        later.forEach(restored::replay);
        assertEquals(List.of("p2"), drain(restored));
    }

    @Test
    void recoveredMessagesKeepTheirTtlFromEnqueueTime() {
        QueueDefinition d = def(true, Map.of("x-message-ttl", 1000));
        QueueState q = new QueueState(d, QueueArguments.parse(d), 0);
        q.publish(persistent("p1"), 100);
        List<QueueEvent> events = journal(q.takeEffects());
        QueueState recovered = new QueueState(d, QueueArguments.parse(d));
        events.forEach(recovered::replay);
        assertEquals(1100, recovered.nextDeadline().orElseThrow());
        recovered.tick(1100);
        assertEquals(0, recovered.messageCount());
    }

    @Test
    void replayAfterServingIsRefused() {
        QueueState q = durableQueue(Map.of());
        q.publish(persistent("p1"), 1);
        assertThrows(IllegalStateException.class,
                () -> q.replay(new QueueEvent.Removed(new long[] {1})));
    }

    @Test
    void recoveredMessagesAreDeduplicatedById() {
        QueueState q = durableQueue(Map.of());
        q.replay(new QueueEvent.Enqueued(1, persistent("p1"), 1));
        q.replay(new QueueEvent.Enqueued(2, persistent("p2"), 2));
        assertEquals(PublishOutcome.DUPLICATE, q.publish(persistent("p1"), 3));
        q.addConsumer(A, true, 0, 0, false);
        q.deliver(4);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of("p1", "p2"), ids(ds));
        assertTrue(ds.stream().allMatch(QueueEffect.Deliver::redelivered));
    }
}
