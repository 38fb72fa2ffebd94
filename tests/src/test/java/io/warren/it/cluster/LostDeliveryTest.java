package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.warren.it.BrokerUnderTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deliveries that Pekko's remoting drops between a queue and a consumer's channel on another node come again. Artery
 * delivers at most once: a full send queue drops what does not fit, and a broken connection loses what it held, with
 * nobody told. Before, the queue held such deliveries unacked for a channel whose client never saw them, until that
 * channel closed (the flapping link of {@link PartitionTest} lost confirmed messages so). Now the queue numbers its
 * delivery messages to each remote channel, the channel reports a gap (or a quiet queue asks it), and the queue takes
 * back what the channel does not hold, redelivered.
 *
 * <p>The drop is made for real: the queue's node and the consumer's node are cut from each other (network namespaces,
 * {@link NetworkNamespaces#cutBetween}; both still hear the third node, so nobody is downed) for {@value #CUT_MS} ms
 * while a publisher on the queue's node keeps going, with the nodes' large-message send queue (where deliveries
 * travel) made small, so that Artery must drop deliveries once the TCP buffers are full. The test asserts the drop
 * happened (Artery's own "Dropped" dead-letter line), and that every confirmed message reached the consumer.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LostDeliveryTest {
    private static final int SIZE = 3;
    private static final String QUEUE = "lost-delivery-q";
    /** Short of the 2.8-3.4 s to unreachable plus the resolver's 3.5 s stable-after: nobody is downed. */
    private static final long CUT_MS = 4_000;
    private static final int BODY_BYTES = 16 * 1024;

    @Test
    void deliveriesDroppedBetweenNodesAreDeliveredAgain() throws Exception {
        assumeFalse(BrokerUnderTest.isExternalMode(), "a Warren cluster");
        try (NetworkNamespaces network = NetworkNamespaces.create(SIZE)) {
            Path logback = NodeLogTimeline.writeLogbackConfig("lost-delivery");
            // A small send queue on the large-message lane (default 256) makes the drop certain once TCP stops taking
            // bytes; dead letters are logged so that Artery's drops show (Warren turns them off by default).
            Map<String, String> settings = Map.of(
                    "pekko.remote.artery.advanced.outbound-large-message-queue-size", "32",
                    "pekko.log-dead-letters", "100000",
                    "pekko.loglevel", "DEBUG");
            try (ClusterUnderTest cluster = ClusterUnderTest.start("lost-delivery", SIZE, settings,
                    List.of("-Dlogback.configurationFile=" + logback), network)) {
                scenario(cluster, network);
            }
        }
    }

    private static void scenario(ClusterUnderTest cluster, NetworkNamespaces network) throws Exception {
        int host;
        try (Connection c = cluster.connect(1); Channel ch = c.createChannel()) {
            ch.queueDeclare(QUEUE, true, false, false, null);
            host = hostOf(cluster, QUEUE);
        }
        int consumerNode = host % SIZE + 1;
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger repeats = new AtomicInteger(), repeatsWithoutFlag = new AtomicInteger();
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        AtomicLong longestConfirmGap = new AtomicLong();
        AtomicReference<Throwable> farPublisherFailure = new AtomicReference<>();
        try (Connection consumerConnection = cluster.connect(consumerNode);
             Connection publisherConnection = cluster.connect(host);
             Connection farPublisherConnection = cluster.connect(consumerNode)) {
            Channel consumer = consumerConnection.createChannel();
            consumer.basicQos(100_000);
            consumer.basicConsume(QUEUE, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                        throws IOException {
                    if (!received.add(props.getMessageId())) {
                        repeats.incrementAndGet();
                        if (!envelope.isRedeliver()) repeatsWithoutFlag.incrementAndGet();
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });

            Channel publisher = publisherConnection.createChannel();
            publisher.confirmSelect();
            byte[] body = new byte[BODY_BYTES];
            long cutAt = System.currentTimeMillis() + 1_000;
            long healAt = cutAt + CUT_MS;
            long stopAt = healAt + 3_000;
            // A publisher on the consumer's node: its batches and their answers cross the cut, and Artery drops them
            // as it drops deliveries. Its confirms must resume soon after the heal (the channel probes the quiet queue),
            // not after the 20 s re-send of unconfirmed publishes.
            Thread far = new Thread(() -> {
                try {
                    Channel ch = farPublisherConnection.createChannel();
                    ch.confirmSelect();
                    long lastConfirm = System.currentTimeMillis();
                    int k = 0;
                    while (System.currentTimeMillis() < stopAt) {
                        confirmed.addAll(publishConfirmed(ch, "far-", k, 20, body, 60_000));
                        k += 20;
                        long now = System.currentTimeMillis();
                        longestConfirmGap.accumulateAndGet(now - lastConfirm, Math::max);
                        lastConfirm = now;
                    }
                } catch (Throwable t) {
                    farPublisherFailure.set(t);
                }
            }, "far-publisher");
            far.start();
            boolean cut = false, healed = false;
            int n = 0;
            try {
                while (System.currentTimeMillis() < stopAt) {
                    long now = System.currentTimeMillis();
                    if (!cut && now >= cutAt) {
                        network.cutBetween(host, consumerNode);
                        cut = true;
                    }
                    if (cut && !healed && now >= healAt) {
                        network.heal(host);
                        healed = true;
                    }
                    confirmed.addAll(publishConfirmed(publisher, "m-", n, 50, body, 10_000));
                    n += 50;
                }
            } finally {
                network.heal(host);
            }
            far.join(90_000);

            long deadline = System.currentTimeMillis() + 30_000;
            while (!received.containsAll(confirmed) && System.currentTimeMillis() < deadline) Thread.sleep(200);
        }

        List<String> drops = cluster.logLines("was dropped. Due to overflow of send queue");
        List<String> repaired = cluster.logLines("never arrived (lost between nodes)");
        Set<String> lost = confirmed.stream().filter(id -> !received.contains(id)).collect(Collectors.toSet());
        String figures = String.format("queue on node %d, consumer and far publisher on node %d: confirmed=%d "
                        + "received=%d lost=%d repeats=%d without-flag=%d; far publisher's longest confirm gap %d ms "
                        + "(cut %d ms)%s; Artery drops logged=%d, repairs logged=%d%n  %s%n  %s",
                host, consumerNode, confirmed.size(), received.size(), lost.size(), repeats.get(),
                repeatsWithoutFlag.get(), longestConfirmGap.get(), CUT_MS,
                farPublisherFailure.get() == null ? "" : ", far publisher failed: " + farPublisherFailure.get(),
                drops.size(), repaired.size(),
                drops.stream().limit(3).collect(Collectors.joining("\n  ")),
                String.join("\n  ", repaired));
        System.out.println("[lost-delivery] " + figures);
        assertFalse(drops.isEmpty(), "Artery dropped nothing, so the test proves nothing: " + figures);
        assertTrue(lost.isEmpty(), "confirmed messages never delivered (first 20: "
                + lost.stream().sorted().limit(20).toList() + "): " + figures);
        assertEquals(0, repeatsWithoutFlag.get(), "a repeated delivery without the redelivered flag: " + figures);
        assertEquals(null, farPublisherFailure.get(), figures);
        // The cut plus a few probe periods, well short of the 20 s after which unconfirmed publishes are sent again.
        assertTrue(longestConfirmGap.get() < CUT_MS + 8_000, "the far publisher waited too long for a confirm: " + figures);
        assertFalse(repaired.isEmpty(), "no lost delivery was taken back by the queue: " + figures);
    }

    /** Publishes {@code count} transient messages with ids {@code prefix + from...}, waits for their confirms: the ids. */
    private static List<String> publishConfirmed(Channel ch, String prefix, int from, int count, byte[] body,
                                                 long timeoutMillis) throws Exception {
        List<String> ids = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            String id = prefix + i;
            ch.basicPublish("", QUEUE, new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(1).build(), body);
            ids.add(id);
        }
        ch.waitForConfirmsOrDie(timeoutMillis);
        return ids;
    }

    /** The node whose log says it started (recovered) the queue's entity. */
    private static int hostOf(ClusterUnderTest cluster, String queue) throws InterruptedException {
        String line = "queue '" + queue + "' in vhost '/' recovered to sequence";
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (String found : cluster.logLines(line)) {
                return Integer.parseInt(found.substring("node".length(), found.indexOf(' ')));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no node logged " + line);
    }
}
