package io.warren.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoneNodeVerdictTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void anIslandExitsOnceAnotherSeedHasAnsweredForTheWholeWait() {
        LoneNodeVerdict verdict = new LoneNodeVerdict(20 * SECOND);
        assertFalse(verdict.shouldExit(true, 0, true, 0));
        assertFalse(verdict.shouldExit(true, 0, true, 19 * SECOND));
        assertEquals(19 * SECOND, verdict.aloneForNanos(19 * SECOND));
        assertTrue(verdict.shouldExit(true, 0, true, 20 * SECOND));
    }

    @Test
    void whileCutOffNoSeedAnswersAndTheNodeStays() {
        LoneNodeVerdict verdict = new LoneNodeVerdict(20 * SECOND);
        for (long t = 0; t <= 60; t++) assertFalse(verdict.shouldExit(true, 0, false, t * SECOND));
        assertEquals(0, verdict.aloneForNanos(60 * SECOND));
    }

    @Test
    void theWaitStartsOverWhenTheSeedStopsAnswering() {
        LoneNodeVerdict verdict = new LoneNodeVerdict(20 * SECOND);
        assertFalse(verdict.shouldExit(true, 0, true, 0));
        assertFalse(verdict.shouldExit(true, 0, false, 15 * SECOND));
        assertFalse(verdict.shouldExit(true, 0, true, 16 * SECOND));
        assertFalse(verdict.shouldExit(true, 0, true, 35 * SECOND));
        assertTrue(verdict.shouldExit(true, 0, true, 36 * SECOND));
    }

    @Test
    void aClusterStartingUpIsNotAnIsland() {
        // The first seed node joined itself; the second joins it a few seconds after its port opened.
        LoneNodeVerdict verdict = new LoneNodeVerdict(20 * SECOND);
        assertFalse(verdict.shouldExit(true, 0, true, 0));
        assertFalse(verdict.shouldExit(true, 1, true, 5 * SECOND));
        assertFalse(verdict.shouldExit(true, 1, true, 60 * SECOND));
        assertEquals(0, verdict.aloneForNanos(60 * SECOND));
    }

    @Test
    void aNodeStillJoiningIsNotAlone() {
        // Not a member yet (asking the seed nodes to let it in): it waits, however long the others take.
        LoneNodeVerdict verdict = new LoneNodeVerdict(20 * SECOND);
        for (long t = 0; t <= 60; t++) assertFalse(verdict.shouldExit(false, 0, true, t * SECOND));
    }
}
