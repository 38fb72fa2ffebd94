package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DeliveryGapsTest {

    @Test
    void aSkippedNumberIsAGap() {
        DeliveryGaps g = new DeliveryGaps();
        assertFalse(g.arrived("q", 7, 1));
        assertFalse(g.arrived("q", 7, 2));
        assertTrue(g.arrived("q", 7, 5));
        assertFalse(g.arrived("q", 7, 6));
        assertEquals(6, g.last("q"));
    }

    @Test
    void theFirstMessageSeenCanShowAGapToo() {
        DeliveryGaps g = new DeliveryGaps();
        assertTrue(g.arrived("q", 7, 3), "1 and 2 never came");
    }

    @Test
    void unnumberedMessagesOfALocalQueueAreNeverAGap() {
        DeliveryGaps g = new DeliveryGaps();
        assertFalse(g.arrived("q", 0, 0));
        assertFalse(g.arrived("q", 0, 0));
        assertEquals(0, g.last("q"));
    }

    @Test
    void aNewIncarnationStartsItsOwnNumbering() {
        DeliveryGaps g = new DeliveryGaps();
        g.arrived("q", 7, 1);
        g.arrived("q", 7, 2);
        assertFalse(g.arrived("q", 8, 1));
        assertEquals(1, g.last("q"));
    }

    @Test
    void aProbeNamingANumberNotSeenIsAGapAtTheTail() {
        DeliveryGaps g = new DeliveryGaps();
        g.arrived("q", 7, 1);
        assertEquals(new DeliveryGaps.Report(1, false), g.probed("q", 7, 1));
        assertEquals(new DeliveryGaps.Report(3, true), g.probed("q", 7, 3));
        assertEquals(new DeliveryGaps.Report(3, false), g.probed("q", 7, 3), "reported once");
        assertFalse(g.arrived("q", 7, 4));
    }
}
