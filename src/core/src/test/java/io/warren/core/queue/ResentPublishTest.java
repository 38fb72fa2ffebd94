package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: a channel re-sends confirmed publishes it got no answer for. A re-send of a message the queue holds or
 * settled lately is answered without enqueuing it again; one it does not know is enqueued flagged redelivered.
 */
class ResentPublishTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");

    /** A queue with one acking consumer (prefetch 10). */
    private static QueueState consumed(boolean durable) {
        QueueState q = durable ? durableQueue(Map.of()) : queue(Map.of());
        q.addConsumer(A, true, 10, 0, false);
        return q;
    }

    /** Publishes {@code m} as {@code kind}, acks whatever it delivered, and returns those deliveries. */
    private static List<QueueEffect.Deliver> publishAndAck(QueueState q, Message m, PublishKind kind, long now,
                                                           PublishOutcome expected) {
        assertEquals(expected, q.publish(m, now, kind), m.id());
        q.deliver(now);
        List<QueueEffect.Deliver> delivered = deliveries(q.takeEffects());
        if (!delivered.isEmpty()) q.ack("ch1", tags(delivered));
        q.takeEffects();
        return delivered;
    }

    @Test
    void aResendOfAHeldMessageIsADuplicateAndNotDeliveredAgain() {
        QueueState q = queue(Map.of());
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m1"), 10, PublishKind.CONFIRMED));
        assertEquals(PublishOutcome.DUPLICATE, q.publish(msg("m1"), 20, PublishKind.RESENT));
        assertEquals(1, q.messageCount());
        GetResult g = q.get("ch1", true, 30).orElseThrow();
        assertFalse(g.redelivered(), "the first copy was never delivered");
        assertTrue(q.get("ch1", true, 30).isEmpty());
    }

    @Test
    void aResendOfAnAckedMessageIsAnsweredWithoutDeliveringItAgain() {
        QueueState q = consumed(true);
        List<QueueEffect.Deliver> first = publishAndAck(q, persistent("m1"), PublishKind.CONFIRMED, 10,
                PublishOutcome.ACCEPTED);
        assertEquals(List.of("m1"), ids(first));
        assertFalse(first.get(0).redelivered());
        for (int retry = 1; retry <= 25; retry++) {
            // what the issue saw: one re-send every 2 s while the enqueue was unanswered
            assertEquals(List.of(), ids(publishAndAck(q, persistent("m1"), PublishKind.RESENT, 10 + retry * 2_000L,
                    PublishOutcome.SETTLED)), "retry " + retry);
        }
        assertEquals(0, q.messageCount());
        assertEquals(0, q.unackedCount());
    }

    @Test
    void everyWayOfSettlingIsRemembered() {
        QueueState q = durableQueue(Map.of("x-max-length", 1, "x-message-ttl", 100));
        q.publish(msg("dropped"), 0, PublishKind.CONFIRMED);
        q.publish(msg("rejected"), 0, PublishKind.CONFIRMED); // drop-head drops "dropped"
        GetResult r = q.get("ch1", false, 0).orElseThrow();
        q.reject("ch1", new long[] {r.deliveryId()}, false);
        q.publish(msg("expired"), 0, PublishKind.CONFIRMED);
        q.tick(500);
        q.publish(msg("purged"), 500, PublishKind.CONFIRMED);
        q.purge();
        q.publish(msg("got"), 500, PublishKind.CONFIRMED);
        q.get("ch1", true, 500).orElseThrow();
        q.takeEffects();
        for (String id : List.of("dropped", "rejected", "expired", "purged", "got")) {
            assertEquals(PublishOutcome.SETTLED, q.publish(msg(id), 600, PublishKind.RESENT), id);
        }
        assertEquals(0, q.messageCount());
    }

    @Test
    void aDeadLetteredMessageIsRememberedOnceItsDeadLetterIsSafe() {
        QueueState q = durableQueue(Map.of("x-dead-letter-exchange", "dlx"));
        q.publish(persistent("m1"), 0, PublishKind.CONFIRMED);
        GetResult r = q.get("ch1", false, 0).orElseThrow();
        q.reject("ch1", new long[] {r.deliveryId()}, false);
        long seq = deadLetters(q.takeEffects()).get(0).seq();
        assertEquals(PublishOutcome.DUPLICATE, q.publish(persistent("m1"), 1, PublishKind.RESENT), "still held");
        q.deadLetterSettled(seq);
        assertEquals(PublishOutcome.SETTLED, q.publish(persistent("m1"), 2, PublishKind.RESENT));
    }

    @Test
    void aResendOfAnUnknownMessageIsEnqueuedFlaggedRedelivered() {
        QueueState q = consumed(false);
        List<QueueEffect.Deliver> d = publishAndAck(q, msg("m1"), PublishKind.RESENT, 10, PublishOutcome.ACCEPTED);
        assertEquals(List.of("m1"), ids(d));
        assertTrue(d.get(0).redelivered(), "an earlier incarnation may have delivered it");
        // and it is remembered as settled like any other
        assertEquals(PublishOutcome.SETTLED, q.publish(msg("m1"), 20, PublishKind.RESENT));
    }

    @Test
    void aFirstSendWithTheIdOfASettledMessageIsNotDropped() {
        // Only re-sends are dropped: ids of first sends made elsewhere (dead letters, the management API) may repeat.
        QueueState q = consumed(false);
        publishAndAck(q, msg("m1"), PublishKind.CONFIRMED, 10, PublishOutcome.ACCEPTED);
        List<QueueEffect.Deliver> d = publishAndAck(q, msg("m1"), PublishKind.CONFIRMED, 20, PublishOutcome.ACCEPTED);
        assertEquals(List.of("m1"), ids(d));
        assertFalse(d.get(0).redelivered());
    }

    @Test
    void unconfirmedPublishesAreNotRemembered() {
        QueueState q = consumed(false);
        publishAndAck(q, msg("m1"), PublishKind.UNCONFIRMED, 10, PublishOutcome.ACCEPTED);
        // a channel never re-sends these; a re-send with the id (which cannot happen) is taken as unknown
        assertEquals(List.of("m1"),
                ids(publishAndAck(q, msg("m1"), PublishKind.RESENT, 20, PublishOutcome.ACCEPTED)));
    }

    @Test
    void theMemoryIsBoundedByCount() {
        QueueState q = consumed(false);
        q.settledIdMemory(3, 60_000);
        for (int i = 1; i <= 5; i++) publishAndAck(q, msg("m" + i), PublishKind.CONFIRMED, 10, PublishOutcome.ACCEPTED);
        // the two oldest are forgotten: their re-send counts as unknown (delivered again, flagged)
        for (int i = 3; i <= 5; i++) {
            assertEquals(PublishOutcome.SETTLED, q.publish(msg("m" + i), 20, PublishKind.RESENT), "m" + i);
        }
        List<QueueEffect.Deliver> again = publishAndAck(q, msg("m1"), PublishKind.RESENT, 20, PublishOutcome.ACCEPTED);
        assertTrue(again.get(0).redelivered());
    }

    @Test
    void theMemoryIsBoundedByAge() {
        QueueState q = consumed(false);
        q.settledIdMemory(100, 1_000);
        publishAndAck(q, msg("old"), PublishKind.CONFIRMED, 0, PublishOutcome.ACCEPTED);
        publishAndAck(q, msg("young"), PublishKind.CONFIRMED, 600, PublishOutcome.ACCEPTED);
        assertEquals(PublishOutcome.SETTLED, q.publish(msg("old"), 1_000, PublishKind.RESENT), "1 s old: kept");
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("old"), 1_001, PublishKind.RESENT), "older: forgotten");
        assertEquals(PublishOutcome.SETTLED, q.publish(msg("young"), 1_001, PublishKind.RESENT));
    }

    @Test
    void noMemoryWhenTurnedOff() {
        QueueState q = consumed(false);
        q.settledIdMemory(0, 60_000);
        publishAndAck(q, msg("m1"), PublishKind.CONFIRMED, 0, PublishOutcome.ACCEPTED);
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m1"), 1, PublishKind.RESENT));
    }

    @Test
    void lowerBoundsForgetTheOldestAtOnce() {
        QueueState q = consumed(false);
        for (int i = 1; i <= 4; i++) publishAndAck(q, msg("m" + i), PublishKind.CONFIRMED, 0, PublishOutcome.ACCEPTED);
        q.settledIdMemory(2, 60_000);
        assertEquals(PublishOutcome.SETTLED, q.publish(msg("m4"), 1, PublishKind.RESENT));
        assertEquals(PublishOutcome.SETTLED, q.publish(msg("m3"), 1, PublishKind.RESENT));
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m2"), 1, PublishKind.RESENT));
    }

    @Test
    void recoveryRemembersWhatTheReplayedJournalSaysWasSettled() {
        QueueState q = consumed(true);
        publishAndAck(q, persistent("acked"), PublishKind.CONFIRMED, 10, PublishOutcome.ACCEPTED);
        q.cancelConsumer(A);
        q.publish(persistent("held"), 11, PublishKind.CONFIRMED);
        List<QueueEvent> journal = new ArrayList<>();
        journal.add(new QueueEvent.Enqueued(1, persistent("acked"), 10));
        journal.add(new QueueEvent.Removed(new long[] {1}));
        journal.add(new QueueEvent.Enqueued(2, persistent("held"), 11));

        QueueState next = new QueueState(def(true, Map.of()), QueueArguments.NONE);
        journal.forEach(next::replay);
        assertEquals(PublishOutcome.SETTLED, next.publish(persistent("acked"), 100_000, PublishKind.RESENT),
                "acked in the previous incarnation: not delivered again");
        assertEquals(PublishOutcome.DUPLICATE, next.publish(persistent("held"), 100_000, PublishKind.RESENT));
        GetResult held = next.get("ch1", true, 100_000).orElseThrow();
        assertEquals("held", held.message().id());
        assertTrue(held.redelivered());
        // a message the previous incarnation never wrote is unknown: enqueued, flagged
        assertEquals(PublishOutcome.ACCEPTED, next.publish(persistent("unwritten"), 100_000, PublishKind.RESENT));
        assertTrue(next.get("ch1", true, 100_000).orElseThrow().redelivered());
    }

    @Test
    void idsLearntInRecoveryAgeFromTheFirstCommandAfterIt() {
        QueueState next = new QueueState(def(true, Map.of()), QueueArguments.NONE);
        next.replay(new QueueEvent.Enqueued(1, persistent("acked"), 10));
        next.replay(new QueueEvent.Removed(new long[] {1}));
        next.settledIdMemory(100, 1_000);
        next.tick(50_000); // recovery ends here
        assertEquals(PublishOutcome.SETTLED, next.publish(persistent("acked"), 51_000, PublishKind.RESENT));
        assertEquals(PublishOutcome.ACCEPTED, next.publish(persistent("acked"), 51_001, PublishKind.RESENT));
    }

    @Test
    void theRecoveredMemoryIsBoundedToo() {
        QueueState next = new QueueState(def(true, Map.of()), QueueArguments.NONE);
        next.settledIdMemory(2, 60_000);
        for (int i = 1; i <= 4; i++) {
            next.replay(new QueueEvent.Enqueued(i, persistent("m" + i), 10));
            next.replay(new QueueEvent.Removed(new long[] {i}));
        }
        assertEquals(PublishOutcome.ACCEPTED, next.publish(persistent("m2"), 20, PublishKind.RESENT));
        assertEquals(PublishOutcome.SETTLED, next.publish(persistent("m3"), 20, PublishKind.RESENT));
        assertEquals(PublishOutcome.SETTLED, next.publish(persistent("m4"), 20, PublishKind.RESENT));
    }
}
