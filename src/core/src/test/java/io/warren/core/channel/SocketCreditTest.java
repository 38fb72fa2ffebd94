package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class SocketCreditTest {

    @Test
    void countsPerQueueAndConsumerAndForgetsWhatItHandsOver() {
        SocketCredit c = new SocketCredit();
        c.released("q1", "a");
        c.released("q1", "a");
        c.released("q1", "b");
        c.released("q2", "a");
        assertEquals(Set.of(new SocketCredit.Credit("q1", "a", 2), new SocketCredit.Credit("q1", "b", 1),
                new SocketCredit.Credit("q2", "a", 1)), new HashSet<>(c.take()));
        assertEquals(List.of(), c.take());
    }
}
