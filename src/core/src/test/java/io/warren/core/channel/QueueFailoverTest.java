package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Failover bookkeeping: re-attach, re-send, retries and the enqueue count that throttles reading. */
class QueueFailoverTest {

    private static final long SECOND = 1_000_000_000L;
    private final QueueFailover<String> f = new QueueFailover<>();

    @Test
    void unansweredBatchesAreCountedUntilTheQueueAnswersInOrder() {
        f.sent("q", new long[] {0, 0}, List.of("a", "b"), 0);
        f.sent("q", new long[] {0}, List.of("c"), 0);
        f.sent("r", new long[] {0}, List.of("d"), 0);
        assertEquals(4, f.outstanding());
        f.answered("q", new long[] {0, 0}, new long[0], 0);
        assertEquals(2, f.outstanding());
    }

    @Test
    void aLostQueueGetsItsConsumersReattachedAndUnconfirmedPublishesResent() {
        f.sent("q", new long[] {1, 2}, List.of("a", "b"), 0);
        f.answered("q", new long[] {1}, new long[0], 0); // the queue took 1 (a batch answered per publish here)
        QueueFailover.Recovery<String> r = f.lost("q", Set.of("c1"), 5);
        assertEquals(List.of("c1"), r.reattach());
        assertArrayEquals(new long[] {2}, r.resend().seqs());
        assertEquals(List.of("b"), r.resend().messages());
        // what went to the dead incarnation is never answered: only the re-sent batch counts
        assertEquals(1, f.outstanding());
        assertTrue(f.recovering("q"));
    }

    @Test
    void unconfirmedPublishesAreNotKeptForResend() {
        f.sent("q", new long[] {0}, List.of("a"), 0);
        QueueFailover.Recovery<String> r = f.lost("q", Set.of(), 0);
        assertNull(r.resend());
        assertFalse(f.recovering("q"));
        assertEquals(0, f.outstanding());
    }

    @Test
    void recoveryEndsWhenConsumersAreBackAndSomethingWasSettled() {
        f.sent("q", new long[] {1}, List.of("a"), 0);
        f.lost("q", Set.of("c1"), 0);
        f.reattached("c1");
        assertTrue(f.recovering("q"));
        f.answered("q", new long[] {1}, new long[0], 0);
        assertFalse(f.recovering("q"));
    }

    @Test
    void retriesReattachAndResendUntilAnswered() {
        f.sent("q", new long[] {1}, List.of("a"), 0);
        f.lost("q", Set.of("c1", "gone"), 0);
        assertEquals(List.of(), f.retry(SECOND, 2 * SECOND, (tag, q) -> true));
        List<QueueFailover.Recovery<String>> again = f.retry(2 * SECOND, 2 * SECOND, (tag, q) -> !tag.equals("gone"));
        assertEquals(1, again.size());
        assertEquals(List.of("c1"), again.get(0).reattach());
        assertEquals(List.of("a"), again.get(0).resend().messages());
    }

    @Test
    void afterAnySettlementRetriesNoLongerResend() {
        f.sent("q", new long[] {1, 2}, List.of("a", "b"), 0);
        f.lost("q", Set.of("c1"), 0);
        f.answered("q", new long[] {1}, new long[0], 0);
        List<QueueFailover.Recovery<String>> again = f.retry(3 * SECOND, SECOND, (tag, q) -> true);
        assertEquals(List.of("c1"), again.get(0).reattach());
        assertNull(again.get(0).resend());
    }

    @Test
    void publishesUnansweredForLongAreResent() {
        f.sent("q", new long[] {1}, List.of("a"), 0);
        assertEquals(List.of(), f.resendOlderThan(10 * SECOND, 20 * SECOND));
        List<QueueFailover.Resend<String>> old = f.resendOlderThan(21 * SECOND, 20 * SECOND);
        assertEquals(1, old.size());
        assertEquals("q", old.get(0).queue());
        // re-sent now: not again until another 20 s pass
        assertEquals(List.of(), f.resendOlderThan(30 * SECOND, 20 * SECOND));
    }

    @Test
    void nackedPublishesAreNotResent() {
        f.sent("q", new long[] {1, 2}, List.of("a", "b"), 0);
        f.sent("r", new long[] {1}, List.of("a"), 0);
        f.forget(new long[] {1});
        List<QueueFailover.Resend<String>> resent = f.resendOlderThan(10 * SECOND, SECOND);
        assertEquals(1, resent.size());
        assertEquals("q", resent.get(0).queue());
        assertArrayEquals(new long[] {2}, resent.get(0).seqs());
    }

    // ---------------------------------------------------------------- batches or answers lost between nodes

    @Test
    void aQuietQueueIsProbedAndWhatLeftBeforeTheProbeAndIsStillUnansweredGoesAgain() {
        f.sent("q", new long[] {1, 2}, List.of("a", "b"), 0);
        f.sent("q", new long[] {3}, List.of("c"), 0);
        assertTrue(f.probesDue(SECOND - 1, SECOND).isEmpty(), "not quiet long enough");
        f.answered("q", new long[] {1, 2}, new long[0], SECOND / 2); // progress
        assertTrue(f.probesDue(SECOND, SECOND).isEmpty(), "quiet since the answer only");
        assertEquals(List.of("q"), f.probesDue(2 * SECOND, SECOND)); // batch {3} or its answer was lost
        f.sent("q", new long[] {4}, List.of("d"), 2 * SECOND); // after the probe: not its business
        assertTrue(f.probesDue(2 * SECOND + 1, SECOND).isEmpty(), "one probe at a time");
        // the probe's answer: the answer of {3} ahead of it never came
        QueueFailover.Resend<String> again = f.answered("q", new long[0], new long[0], 2 * SECOND + 2);
        assertArrayEquals(new long[] {3}, again.seqs());
        assertEquals(List.of("c"), again.messages());
        f.answered("q", new long[] {4}, new long[0], 3 * SECOND);
        f.answered("q", new long[] {3}, new long[0], 3 * SECOND);
        assertEquals(0, f.outstanding());
        assertTrue(f.probesDue(10 * SECOND, SECOND).isEmpty(), "everything answered");
    }

    @Test
    void aSlowQueueAnswersItsBatchesBeforeTheProbeAndNothingGoesTwice() {
        f.sent("q", new long[] {1}, List.of("a"), 0);
        assertEquals(List.of("q"), f.probesDue(SECOND, SECOND));
        assertNull(f.answered("q", new long[] {1}, new long[0], 5 * SECOND), "the journal was slow");
        assertNull(f.answered("q", new long[0], new long[0], 5 * SECOND), "the probe's answer: nothing left");
        assertEquals(0, f.outstanding());
    }

    @Test
    void aLostProbeIsFollowedByAnother() {
        f.sent("q", new long[] {1}, List.of("a"), 0);
        assertEquals(List.of("q"), f.probesDue(SECOND, SECOND));
        assertTrue(f.probesDue(SECOND + SECOND / 2, SECOND).isEmpty());
        assertEquals(List.of("q"), f.probesDue(2 * SECOND, SECOND));
    }

    @Test
    void anUnconfirmedBatchWhoseAnswerWasLostStopsCountingOnceTheProbeIsAnswered() {
        f.sent("q", new long[] {0, 0}, List.of("a", "b"), 0);
        assertEquals(2, f.outstanding());
        assertEquals(List.of("q"), f.probesDue(SECOND, SECOND));
        assertNull(f.answered("q", new long[0], new long[0], 2 * SECOND), "nothing to send again without confirms");
        assertEquals(0, f.outstanding(), "else every lost answer would hold back reading for good");
        assertTrue(f.probesDue(10 * SECOND, SECOND).isEmpty());
    }
}
