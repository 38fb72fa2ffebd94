package io.warren.it.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import io.warren.it.RawAmqpConnection;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Credit from queue to socket (RabbitMQ's credit flow): whatever the prefetch, a queue sends a consumer only a bounded
 * number of deliveries its connection has not written to the socket yet, so a consumer with no basic.qos cannot make
 * its queue push the whole backlog into the node's memory.
 */
class ConsumerFlowTest extends ConnectedTest {

    private static final byte[] KIB = new byte[1024];

    ConsumerFlowTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void aConsumerWithNoPrefetchThatStopsReadingLeavesTheBacklogInItsQueue() throws Exception {
        assertBacklogStaysInQueue(false);
    }

    @Test
    void aNoAckConsumerThatStopsReadingLeavesTheBacklogInItsQueue() throws Exception {
        assertBacklogStaysInQueue(true);
    }

    private void assertBacklogStaysInQueue(boolean noAck) throws Exception {
        int total = 30_000;
        String queue = declareQueue("q.flow");
        fill(channel, queue, total);
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendMethod(1, 60, 20, consumeArguments(queue, noAck));
            raw.expectMethod(1, 60, 21); // consume-ok; from here on nothing is read
            Thread.sleep(3_000);
            int ready = channel.queueDeclarePassive(queue).getMessageCount();
            // What left the queue sits in socket buffers and the connection's window: a few thousand at most.
            assertTrue(ready > total / 2, "the queue pushed " + (total - ready) + " of " + total
                    + " messages to a consumer that reads nothing");
        }
    }

    /**
     * With -Xmx1g, {@code -Dwarren.it.backlog=300000} 1 KiB transient messages are drained by a consumer with no
     * basic.qos, once with auto-ack and once with manual acks: the node stays up and every message is delivered. Prints
     * the highest heap use seen (jcmd GC.heap_info, sampled every 500 ms). Warren only (own process, own heap).
     */
    @Test
    void aLargeBacklogDrainsWithNoPrefetchWithinAOneGigabyteHeap() throws Exception {
        int total = Integer.getInteger("warren.it.backlog", 0);
        assumeTrue(total > 0, "set -Dwarren.it.backlog=300000 to run");
        broker.assumeControllable();
        BrokerUnderTest node = BrokerUnderTest.startWarren("backlog", Map.of(), List.of("-Xmx1g"));
        try (Connection c = node.newConnection()) {
            Channel ch = c.createChannel();
            for (boolean autoAck : new boolean[] {true, false}) {
                String queue = Amqp.unique("q.backlog");
                ch.queueDeclare(queue, false, false, false, null);
                fill(ch, queue, total);
                HeapSampler heap = new HeapSampler(node.pid());
                heap.start();
                long started = System.nanoTime();
                Channel consuming = c.createChannel();
                CountDownLatch all = new CountDownLatch(total);
                consuming.basicConsume(queue, autoAck, new DefaultConsumer(consuming) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                            throws IOException {
                        if (!autoAck) getChannel().basicAck(envelope.getDeliveryTag(), false);
                        all.countDown();
                    }
                });
                boolean drained = all.await(120, TimeUnit.SECONDS);
                heap.interrupt();
                heap.join();
                System.out.printf("backlog %d x 1 KiB, %s: drained=%s in %d ms, max heap used %d MiB%n", total,
                        autoAck ? "auto-ack" : "manual ack", drained, (System.nanoTime() - started) / 1_000_000,
                        heap.maxUsedKib.get() / 1024);
                assertTrue(drained, (total - all.getCount()) + " of " + total + " delivered");
                assertTrue(heap.maxUsedKib.get() > 0, "no heap sample");
                consuming.close();
                assertEquals(0, ch.queueDeclarePassive(queue).getMessageCount());
                ch.queueDelete(queue);
            }
        } finally {
            node.close();
        }
    }

    private static void fill(Channel ch, String queue, int total) throws Exception {
        for (int i = 0; i < total; i++) ch.basicPublish("", queue, null, KIB);
        Amqp.awaitMessageCount(ch, queue, total);
    }

    private static byte[] consumeArguments(String queue, boolean noAck) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream args = new DataOutputStream(bytes);
        args.writeShort(0);
        shortString(args, queue);
        shortString(args, "");
        args.writeByte(noAck ? 0b0010 : 0);
        args.writeInt(0); // no arguments
        return bytes.toByteArray();
    }

    private static void shortString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeByte(b.length);
        out.write(b);
    }

    /** Samples a JVM's used heap with jcmd until interrupted. */
    private static final class HeapSampler extends Thread {
        private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");
        final AtomicLong maxUsedKib = new AtomicLong();
        private final long pid;

        HeapSampler(long pid) {
            this.pid = pid;
            setDaemon(true);
        }

        @Override
        public void run() {
            String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
            while (!isInterrupted()) {
                try {
                    Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    p.waitFor();
                    Matcher m = USED.matcher(out);
                    if (m.find()) maxUsedKib.accumulateAndGet(Long.parseLong(m.group(1)), Math::max);
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    return;
                }
            }
        }
    }
}
