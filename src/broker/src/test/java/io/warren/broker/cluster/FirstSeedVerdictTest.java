package io.warren.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FirstSeedVerdictTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void withNoOtherSeedRunningTheFirstSeedFormsAClusterAfterTheWait() {
        FirstSeedVerdict verdict = new FirstSeedVerdict(5 * SECOND);
        for (long t = 0; t < 5_000; t += 200) assertFalse(verdict.shouldForm(false, t * MS), "at " + t + " ms");
        assertTrue(verdict.shouldForm(false, 5 * SECOND));
    }

    @Test
    void whileAnotherSeedRunsTheFirstSeedWaitsForItsAnswerHoweverLate() {
        // A restart on a busy host: the other seed node's port accepts connections, its InitJoinAck takes 30 s.
        FirstSeedVerdict verdict = new FirstSeedVerdict(5 * SECOND);
        for (long t = 0; t <= 60_000; t += 200) assertFalse(verdict.shouldForm(true, t * MS), "at " + t + " ms");
    }

    @Test
    void anAnswerStartsTheWaitOver() {
        // The other seed node restarts too: its port refuses for a moment, then accepts again.
        FirstSeedVerdict verdict = new FirstSeedVerdict(5 * SECOND);
        assertFalse(verdict.shouldForm(false, 0));
        assertFalse(verdict.shouldForm(false, 4 * SECOND));
        assertFalse(verdict.shouldForm(true, 4_500 * MS));
        assertFalse(verdict.shouldForm(false, 5 * SECOND));
        assertFalse(verdict.shouldForm(false, 9_900 * MS));
        assertTrue(verdict.shouldForm(false, 10 * SECOND));
    }

    @Test
    void theWaitStartsAtTheFirstProbeNotAtZero() {
        FirstSeedVerdict verdict = new FirstSeedVerdict(5 * SECOND);
        assertFalse(verdict.shouldForm(false, 100 * SECOND));
        assertFalse(verdict.shouldForm(false, 104 * SECOND));
        assertTrue(verdict.shouldForm(false, 105 * SECOND));
    }
}
