package io.warren.core.queue;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryStreamsTest {

    /** Probes due with the quiet period given, no audit (no channel holds deliveries). */
    private static List<DeliveryStreams.Probe> probes(DeliveryStreams s, long now, long quietFor) {
        return s.probesDue(now, quietFor, 5_000, id -> false);
    }

    @Test
    void aChannelHoldingDeliveriesWithoutActivityIsAuditedForWhatItHolds() {
        DeliveryStreams s = new DeliveryStreams();
        s.sent("a", 9, 0);
        s.confirmed("a", 1);
        assertTrue(s.probesDue(4_999, 1_000, 5_000, id -> true).isEmpty(), "quiet, not for long");
        s.settled("a", 3_000); // an ack: activity
        assertTrue(s.probesDue(7_999, 1_000, 5_000, id -> true).isEmpty());
        assertEquals(List.of(new DeliveryStreams.Probe("a", 1, 9, true)), s.probesDue(8_000, 1_000, 5_000, id -> true));
        assertTrue(s.probesDue(12_999, 1_000, 5_000, id -> true).isEmpty(), "asked a moment ago");
        assertEquals(1, s.probesDue(13_000, 1_000, 5_000, id -> true).size());
        assertTrue(s.probesDue(99_000, 1_000, 5_000, id -> false).isEmpty(), "holds nothing: nothing to ask");
        assertTrue(s.watching(id -> true));
        assertFalse(s.watching(id -> false));
    }

    @Test
    void numbersEachChannelsMessagesFromOne() {
        DeliveryStreams s = new DeliveryStreams();
        assertEquals(1, s.sent("a", 5, 0));
        assertEquals(2, s.sent("a", 9, 0));
        assertEquals(1, s.sent("b", 7, 0));
    }

    @Test
    void aQuietUnconfirmedChannelIsProbedOncePerQuietPeriodUntilItAnswers() {
        DeliveryStreams s = new DeliveryStreams();
        s.sent("a", 5, 0);
        s.sent("a", 9, 100);
        assertTrue(probes(s, 1_099, 1_000).isEmpty(), "still receiving");
        assertEquals(List.of(new DeliveryStreams.Probe("a", 2, 9, false)), probes(s, 1_100, 1_000));
        assertTrue(probes(s, 1_500, 1_000).isEmpty(), "asked a moment ago");
        assertEquals(1, probes(s, 2_100, 1_000).size(), "no answer: asked again");
        s.confirmed("a", 2);
        assertTrue(probes(s, 9_000, 1_000).isEmpty());
        assertFalse(s.watching(id -> false));
    }

    @Test
    void anAnswerToAnOlderNumberLeavesTheNewerUnconfirmed() {
        DeliveryStreams s = new DeliveryStreams();
        s.sent("a", 1, 0);
        s.sent("a", 2, 0);
        s.confirmed("a", 1);
        assertTrue(s.watching(id -> false));
        assertEquals(List.of(new DeliveryStreams.Probe("a", 2, 2, false)), probes(s, 1_000, 1_000));
        s.sent("a", 3, 1_000);
        assertTrue(probes(s, 1_500, 1_000).isEmpty(), "a send resets the quiet period");
    }

    @Test
    void aClosedChannelIsForgotten() {
        DeliveryStreams s = new DeliveryStreams();
        s.sent("a", 1, 0);
        s.closed("a");
        assertFalse(s.watching(id -> false));
        assertTrue(probes(s, 5_000, 1_000).isEmpty());
        assertEquals(1, s.sent("a", 2, 0), "numbering starts again");
    }
}
