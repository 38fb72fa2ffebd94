package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.deliveries;
import static io.warren.core.queue.Fixtures.msg;
import static io.warren.core.queue.Fixtures.queue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.amqp.BasicProperties;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Credit from queue to socket for ack-requiring consumers: whatever their prefetch, at most a window of deliveries
 * not yet reported written by the channel; and a registered consumer's prefetch can change.
 */
class WriteWindowTest {
    private static final ConsumerKey A = new ConsumerKey("ch-1", "a");

    @Test
    void anUnlimitedAckConsumerGetsTheWindowThenWaitsForTheChannel() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        for (int i = 1; i <= QueueConsumer.WRITE_WINDOW + 5; i++) q.publish(msg("m" + i), 1);
        q.deliver(1);
        assertEquals(QueueConsumer.WRITE_WINDOW, deliveries(q.takeEffects()).size());
        assertEquals(5, q.messageCount());

        q.noAckWritten(A, 3);
        q.deliver(2);
        assertEquals(3, deliveries(q.takeEffects()).size());
        assertEquals(2, q.messageCount());
    }

    @Test
    void largeBodiesAreBoundedByBytesNotOnlyByCount() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        int mib = 1 << 20;
        for (int i = 1; i <= 40; i++) {
            q.publish(new Message("m" + i, "ex", "rk", BasicProperties.EMPTY, ByteString.fromArray(new byte[mib])), 1);
        }
        q.deliver(1);
        // 16 MiB of bodies on their way to the socket, not 40
        assertEquals(QueueConsumer.WRITE_WINDOW_BYTES / mib, deliveries(q.takeEffects()).size());

        q.noAckWritten(A, 4); // the four oldest are written: four more may go
        q.deliver(2);
        assertEquals(4, deliveries(q.takeEffects()).size());
    }

    @Test
    void oneDeliveryLargerThanTheByteWindowStillGoes() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, false, 1000, 0, false);
        ByteString huge = ByteString.fromArray(new byte[(int) QueueConsumer.WRITE_WINDOW_BYTES + 1]);
        q.publish(new Message("big", "ex", "rk", BasicProperties.EMPTY, huge), 1);
        q.publish(msg("small"), 1);
        q.deliver(1);
        assertEquals(1, deliveries(q.takeEffects()).size());
        q.noAckWritten(A, 1);
        q.deliver(2);
        assertEquals(1, deliveries(q.takeEffects()).size());
    }

    @Test
    void acksDoNotReturnWindowCreditOnlyWritesDo() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        for (int i = 1; i <= QueueConsumer.WRITE_WINDOW + 1; i++) q.publish(msg("m" + i), 1);
        q.deliver(1);
        assertEquals(QueueConsumer.WRITE_WINDOW, deliveries(q.takeEffects()).size());
        q.ack("ch-1", new long[] {1, 2, 3});
        q.deliver(2);
        assertEquals(0, deliveries(q.takeEffects()).size());
    }

    @Test
    void raisingAConsumersPrefetchDeliversMoreAtOnce() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 1, 0, false);
        for (int i = 1; i <= 3; i++) q.publish(msg("m" + i), 1);
        q.deliver(1);
        assertEquals(1, deliveries(q.takeEffects()).size());
        q.changePrefetch(A, 2);
        q.deliver(2);
        assertEquals(1, deliveries(q.takeEffects()).size());
        q.changePrefetch(A, 0);
        q.deliver(3);
        assertEquals(1, deliveries(q.takeEffects()).size());
    }

    @Test
    void loweringAConsumersPrefetchStopsDeliveryUntilAcksBringItBelow() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 3, 0, false);
        q.publish(msg("m1"), 1);
        q.deliver(1);
        q.takeEffects();
        q.changePrefetch(A, 1);
        q.publish(msg("m2"), 2);
        q.deliver(2);
        assertEquals(0, deliveries(q.takeEffects()).size());
        q.ack("ch-1", new long[] {1});
        q.deliver(3);
        assertEquals(1, deliveries(q.takeEffects()).size());
    }
}
