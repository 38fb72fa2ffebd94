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
}
