package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.deliveries;
import static io.warren.core.queue.Fixtures.ids;
import static io.warren.core.queue.Fixtures.msg;
import static io.warren.core.queue.Fixtures.queue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No-ack consumers get at most their window of deliveries until the channel reports them written. */
class NoAckWindowTest {
    private static final ConsumerKey A = new ConsumerKey("ch-1", "a");

    @Test
    void aNoAckConsumerGetsItsWindowThenWaitsForTheChannel() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, false, 3, 0, false);
        for (int i = 1; i <= 5; i++) q.publish(msg("m" + i), 1);
        q.deliver(1);
        assertEquals(List.of("m1", "m2", "m3"), ids(deliveries(q.takeEffects())));
        assertEquals(2, q.messageCount());

        q.noAckWritten(A, 2);
        q.deliver(2);
        assertEquals(List.of("m4", "m5"), ids(deliveries(q.takeEffects())));
        assertEquals(0, q.messageCount());
    }

    @Test
    void aWindowOfZeroMeansNoLimit() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, false, 0, 0, false);
        for (int i = 1; i <= 50; i++) q.publish(msg("m" + i), 1);
        q.deliver(1);
        assertEquals(50, deliveries(q.takeEffects()).size());
    }

    @Test
    void writtenReportsForUnknownConsumersAreIgnored() {
        QueueState q = queue(Map.of());
        q.noAckWritten(new ConsumerKey("gone", "x"), 5);
        assertEquals(0, q.consumerCount());
    }
}
