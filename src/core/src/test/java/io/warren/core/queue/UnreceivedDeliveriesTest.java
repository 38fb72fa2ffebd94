package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link QueueState#requeueUnreceived}: deliveries a channel reports it never got go back, redelivered. */
class UnreceivedDeliveriesTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");
    private static final ConsumerKey B = new ConsumerKey("ch2", "b");

    @Test
    void whatTheChannelDoesNotHoldUpToTheIdGoesBackRedeliveredAndCreditReturns() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 3, 0, false);
        for (int i = 1; i <= 5; i++) q.publish(msg("m" + i), 1);
        long[] ids = tags(deliveries(q.takeEffects()));
        assertEquals(3, ids.length, "prefetch 3");

        // m1 arrived, m2 was lost; m3 left after the message the channel answered (in flight): not touched
        assertEquals(1, q.requeueUnreceived("ch1", ids[1], new long[] {ids[0]}));
        assertEquals(2, q.unackedCount());

        // the credit m2 took comes back: m2 goes again, flagged, ahead of m4
        q.deliver(2);
        List<QueueEffect.Deliver> again = deliveries(q.takeEffects());
        assertEquals(List.of("m2"), ids(again));
        assertTrue(again.get(0).redelivered());
        assertTrue(again.get(0).deliveryId() > ids[2], "a new delivery id");
    }

    @Test
    void otherChannelsAndBasicGetAreNotTouched() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 3; i++) q.publish(msg("m" + i), 1);
        long got = q.get("ch1", false, 1).orElseThrow().deliveryId();
        q.addConsumer(B, true, 0, 0, false);
        q.deliver(1);
        long[] toB = tags(deliveries(q.takeEffects()));
        assertEquals(2, toB.length);

        assertEquals(0, q.requeueUnreceived("ch1", Long.MAX_VALUE, new long[0]), "basic.get is not numbered");
        assertEquals(0, q.requeueUnreceived("ch9", Long.MAX_VALUE, new long[0]), "unknown channel");
        assertEquals(3, q.unackedCount());
        assertEquals(2, q.requeueUnreceived("ch2", toB[1], new long[0]));
        assertEquals(1, q.unackedCount());
        q.ack("ch1", new long[] {got});
        assertEquals(0, q.unackedCount());
    }

    @Test
    void anAckThatCameFirstWins() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        q.publish(msg("m1"), 1);
        long id = tags(deliveries(q.takeEffects()))[0];
        q.ack("ch1", new long[] {id});
        assertEquals(0, q.requeueUnreceived("ch1", id, new long[0]));
        assertEquals(0, q.messageCount());
    }
}
