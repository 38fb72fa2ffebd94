package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PublisherConfirmsTest {

    private static long[] seqs(long... s) {
        return s;
    }

    @Test
    void notConfirmingGivesSequenceZeroAndNoConfirms() {
        PublisherConfirms c = new PublisherConfirms();
        assertEquals(0, c.next());
        assertEquals(List.of(), c.routed(0, 0));
    }

    @Test
    void aSingleConfirmedPublishIsAckedWithoutMultiple() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        long seq = c.next();
        assertEquals(List.of(), c.routed(seq, 1));
        assertEquals(List.of(new Confirm(1, false, true)), c.settled(seqs(1), seqs()));
    }

    @Test
    void severalSettledBelowTheOldestUnconfirmedGoOutAsOneMultipleAck() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        for (int i = 0; i < 3; i++) c.routed(c.next(), 1);
        assertEquals(List.of(new Confirm(3, true, true)), c.settled(seqs(1, 2, 3), seqs()));
    }

    @Test
    void settledAboveAnUnconfirmedOneAreAckedOneByOne() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        for (int i = 0; i < 4; i++) c.routed(c.next(), 1);
        assertEquals(List.of(new Confirm(3, false, true), new Confirm(4, false, true)), c.settled(seqs(3, 4), seqs()));
        assertEquals(List.of(new Confirm(2, true, true)), c.settled(seqs(1, 2), seqs()));
        assertEquals(0, c.unconfirmedCount());
    }

    @Test
    void aPublishRoutedToTwoQueuesIsConfirmedWhenBothTookIt() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        c.routed(c.next(), 2);
        assertEquals(List.of(), c.settled(seqs(1), seqs()));
        assertEquals(List.of(new Confirm(1, false, true)), c.settled(seqs(1), seqs()));
    }

    @Test
    void aRefusedPublishIsNackedAtOnceAndNotAckedLater() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        c.routed(c.next(), 2);
        assertEquals(List.of(new Confirm(1, false, false)), c.settled(seqs(), seqs(1)));
        assertEquals(List.of(), c.settled(seqs(1), seqs()));
    }

    @Test
    void anUnroutablePublishIsAckedAtOnceAndStillTakesASequenceNumber() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        assertEquals(List.of(new Confirm(1, false, true)), c.routed(c.next(), 0));
        assertEquals(2, c.next());
    }

    @Test
    void unconfirmedSequenceZeroEntriesAreIgnored() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        c.routed(c.next(), 1);
        assertEquals(List.of(new Confirm(1, false, true)), c.settled(seqs(0, 1), seqs(0)));
    }

    @Test
    void publishesUnconfirmedPastTheTimeoutAreNackedOldestFirstAndOnlyOnce() {
        PublisherConfirms c = new PublisherConfirms();
        c.enable();
        c.routed(c.next(), 1, 0);      // 1 at t=0
        c.routed(c.next(), 2, 10);     // 2 at t=10
        c.routed(c.next(), 1, 20);     // 3 at t=20
        assertEquals(List.of(), c.timedOut(100, 0), "0: no timeout");
        assertEquals(List.of(), c.timedOut(15, 100));
        assertEquals(List.of(new Confirm(1, false, false)), c.settled(seqs(), seqs(1)));
        // 1 is settled already (nacked by its queue), 2 and 3 are past the timeout at t=125, not 3 at 115
        assertEquals(List.of(new Confirm(2, false, false)), c.timedOut(115, 100));
        assertEquals(List.of(new Confirm(3, false, false)), c.timedOut(125, 100));
        assertEquals(0, c.unconfirmedCount());
        assertEquals(List.of(), c.settled(seqs(2, 3), seqs()), "a late answer is ignored");
        assertEquals(List.of(), c.timedOut(1_000, 100));
    }
}
