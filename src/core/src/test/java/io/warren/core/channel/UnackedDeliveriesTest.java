package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnackedDeliveriesTest {

    private static List<Long> tags(List<Unacked> us) {
        return us.stream().map(Unacked::tag).toList();
    }

    private static UnackedDeliveries withTags(int n, String queue) {
        UnackedDeliveries u = new UnackedDeliveries();
        for (int i = 0; i < n; i++) {
            long tag = u.nextTag();
            u.add(new Unacked(tag, queue, 100 + tag, "c"));
        }
        return u;
    }

    @Test
    void aSingleAckSettlesJustThatTag() {
        UnackedDeliveries u = withTags(3, "q");
        assertEquals(List.of(2L), tags(u.settle(2, false)));
        assertEquals(2, u.size());
    }

    @Test
    void multipleSettlesEverythingUpToTheTag() {
        UnackedDeliveries u = withTags(4, "q");
        assertEquals(List.of(1L, 2L, 3L), tags(u.settle(3, true)));
        assertEquals(List.of(4L), tags(u.takeAll()));
    }

    @Test
    void multipleWithTagZeroSettlesEverything() {
        UnackedDeliveries u = withTags(3, "q");
        assertEquals(List.of(1L, 2L, 3L), tags(u.settle(0, true)));
        assertEquals(0, u.size());
    }

    @Test
    void anUnknownTagIs406AndSettlesNothing() {
        UnackedDeliveries u = withTags(2, "q");
        AmqpException e = assertThrows(AmqpException.class, () -> u.settle(7, false));
        assertEquals(406, e.replyCode());
        assertEquals("PRECONDITION_FAILED - unknown delivery tag 7", e.replyText());
        assertThrows(AmqpException.class, () -> u.settle(7, true));
        assertEquals(2, u.size());
    }

    @Test
    void aTagSettledTwiceIsUnknownTheSecondTime() {
        UnackedDeliveries u = withTags(1, "q");
        u.settle(1, false);
        assertThrows(AmqpException.class, () -> u.settle(1, false));
    }

    @Test
    void restoredDeliveriesCanBeSettledAgainInTagOrder() {
        UnackedDeliveries u = withTags(3, "q");
        List<Unacked> first = u.settle(3, false);
        List<Unacked> second = u.settle(1, false);
        u.restore(first);
        u.restore(second);
        assertEquals(List.of(1L, 2L, 3L), tags(u.settle(3, true)));
    }

    @Test
    void tagsOfALostQueueBecomeStaleAndSettlingThemDoesNothing() {
        UnackedDeliveries u = new UnackedDeliveries();
        u.add(new Unacked(u.nextTag(), "lost", 1, "c"));
        u.add(new Unacked(u.nextTag(), "kept", 1, "c"));
        assertEquals(List.of(1L), tags(u.queueLost("lost")));
        assertEquals(List.of(), u.settle(1, false));
        assertTrue(u.holds("kept", 1));
        assertEquals(List.of(2L), tags(u.settle(2, true)));
        // a stale tag alone under multiple is not unknown either
        UnackedDeliveries v = new UnackedDeliveries();
        v.add(new Unacked(v.nextTag(), "lost", 1, "c"));
        v.queueLost("lost");
        assertEquals(List.of(), v.settle(1, true));
    }
}
