package io.warren.core.queue;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryStreamsTest {

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
        assertTrue(s.probesDue(1_099, 1_000).isEmpty(), "still receiving");
        assertEquals(List.of(new DeliveryStreams.Probe("a", 2, 9)), s.probesDue(1_100, 1_000));
        assertTrue(s.probesDue(1_500, 1_000).isEmpty(), "asked a moment ago");
        assertEquals(1, s.probesDue(2_100, 1_000).size(), "no answer: asked again");
        s.confirmed("a", 2);
        assertTrue(s.probesDue(9_000, 1_000).isEmpty());
        assertFalse(s.unconfirmed());
    }

    @Test
    void anAnswerToAnOlderNumberLeavesTheNewerUnconfirmed() {
        DeliveryStreams s = new DeliveryStreams();
        s.sent("a", 1, 0);
        s.sent("a", 2, 0);
        s.confirmed("a", 1);
        assertTrue(s.unconfirmed());
        assertEquals(List.of(new DeliveryStreams.Probe("a", 2, 2)), s.probesDue(1_000, 1_000));
        s.sent("a", 3, 1_000);
        assertTrue(s.probesDue(1_500, 1_000).isEmpty(), "a send resets the quiet period");
    }

    @Test
    void aClosedChannelIsForgotten() {
        DeliveryStreams s = new DeliveryStreams();
        s.sent("a", 1, 0);
        s.closed("a");
        assertFalse(s.unconfirmed());
        assertTrue(s.probesDue(5_000, 1_000).isEmpty());
        assertEquals(1, s.sent("a", 2, 0), "numbering starts again");
    }
}
