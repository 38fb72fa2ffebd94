package io.warren.core.channel;

import io.warren.amqp.EncodedProperties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.core.queue.Message;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hot paths through the core allocate no effect per message: a delivery to a no-ack consumer allocates nothing,
 * and a publish only its share of the per-queue batch (the arrays that leave as one enqueue per queue and read).
 * Measured with the JVM's per-thread allocation counter, so the machine's load does not matter.
 */
class ChannelCoreAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void aNoAckDeliveryAllocatesNothing() {
        ChannelCore<String, String> core = new ChannelCore<>(1, true);
        List<ChannelEffect> out = new ArrayList<>();
        core.consume("q", "c", true, false, 0, true, 0, out);
        core.consumeAnswered("c", true, 0, null, out);
        String delivery = "m";
        for (int i = 0; i < 200_000; i++) core.deliver("q", "c", i, delivery); // warm up
        long before = allocated();
        long tags = 0;
        for (int i = 0; i < 100_000; i++) tags += core.deliver("q", "c", i, delivery);
        long bytes = allocated() - before;
        assertTrue(tags > 0);
        assertTrue(bytes < 1024, "100,000 deliveries allocated " + bytes + " bytes");
    }

    @Test
    void aPublishAllocatesOnlyItsShareOfTheBatch() {
        ChannelCore<String, String> core = new ChannelCore<>(1, true);
        List<ChannelEffect> out = new ArrayList<>();
        Message m = new Message("id", "", "q", (EncodedProperties) null, null);
        for (int i = 0; i < 200_000; i++) publish(core, m, out, i);
        long before = allocated();
        int n = 100_000;
        for (int i = 0; i < n; i++) publish(core, m, out, i);
        long perMessage = (allocated() - before) / n;
        System.out.println("ChannelCore publish path, batches of 100: " + perMessage + " bytes allocated per message");
        assertTrue(perMessage < 64, perMessage + " bytes per message");
        assertEquals(0, out.size());
    }

    /** One publish routed to one queue; every 100th ends the read and sends the batch. */
    private static void publish(ChannelCore<String, String> core, Message m, List<ChannelEffect> out, int i) {
        long seq = core.routed(1, i, out);
        core.batch("q", m, seq);
        if (i % 100 == 99) {
            core.endOfInput(i, out);
            out.clear();
        }
    }
}
