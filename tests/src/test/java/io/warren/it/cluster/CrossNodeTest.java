package io.warren.it.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.KeptProperties;
import io.warren.it.RawAmqpConnection;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes: a queue lives on one of them (sharding decides which), clients on every node use it. Every
 * test runs its traffic through all three nodes, so at least one hop is remote whichever node owns the queue.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrossNodeTest {
    private static ClusterUnderTest cluster;

    @BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    static void startCluster() {
        cluster = ClusterUnderTest.start("cross-node", 3);
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void queueDeclaredOnNode1PublishedOnNode2ConsumedOnNode3() throws Exception {
        String queue = Amqp.unique("cross");
        int count = 200;
        try (Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2); Connection c3 = cluster.connect(3)) {
            Channel declare = c1.createChannel();
            declare.queueDeclare(queue, true, false, false, null);

            Channel publish = c2.createChannel();
            publish.confirmSelect();
            for (int i = 0; i < count; i++) {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                        .deliveryMode(2).messageId("m" + i).headers(Map.of("index", i)).build();
                publish.basicPublish("", queue, props, ("message " + i).getBytes(StandardCharsets.UTF_8));
            }
            publish.waitForConfirmsOrDie(30_000);

            Channel consume = c3.createChannel();
            consume.basicQos(50);
            RecordingConsumer consumer = new RecordingConsumer(consume);
            consume.basicConsume(queue, false, consumer);
            for (int i = 0; i < count; i++) {
                Delivery delivery = consumer.take(Duration.ofSeconds(15));
                assertEquals("message " + i, new String(delivery.getBody(), StandardCharsets.UTF_8), "order within one queue");
                assertEquals("m" + i, delivery.getProperties().getMessageId());
                assertEquals(i, ((Number) delivery.getProperties().getHeaders().get("index")).intValue());
                assertFalse(delivery.getEnvelope().isRedeliver());
                consume.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            }
            consumer.assertNoDelivery(Duration.ofMillis(300));
            consume.basicCancel(consumer.getConsumerTag());

            // The acks from node 3 reached the queue, wherever it lives: node 1 sees it empty.
            assertEventually(Duration.ofSeconds(10), () -> declare.queueDeclarePassive(queue).getMessageCount() == 0,
                    "queue empty after acks from node 3");
            declare.queueDelete(queue);
        }
    }

    /** Published on node 2 into a queue declared on node 1, fetched on node 3: the property bytes are the same. */
    @Test
    void propertiesCrossNodesByteForByte() throws Exception {
        String queue = Amqp.unique("cross-props");
        try (Connection c1 = cluster.connect(1)) {
            c1.createChannel().queueDeclare(queue, true, false, false, null);
        }
        byte[] props = KeptProperties.everyPropertyWithBinaryIds();
        byte[] body = "across".getBytes(StandardCharsets.UTF_8);
        try (RawAmqpConnection raw = rawConnection(2)) {
            KeptProperties.publishConfirmed(raw, queue, props, body);
        }
        try (RawAmqpConnection raw = rawConnection(3)) {
            assertArrayEquals(props, KeptProperties.getProperties(raw, queue, body, Duration.ofSeconds(15)));
        }
        try (Connection c1 = cluster.connect(1)) {
            c1.createChannel().queueDelete(queue);
        }
    }

    private static RawAmqpConnection rawConnection(int node) throws Exception {
        java.net.Socket socket = new java.net.Socket(ClusterNode.HOST, cluster.node(node).amqpPort());
        socket.setSoTimeout(20_000);
        RawAmqpConnection raw = new RawAmqpConnection(socket);
        raw.handshake(0);
        return raw;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {200 * 1024, 2 * 1024 * 1024, 5 * 1024 * 1024})
    void largeBodiesCrossNodes(int size) throws Exception {
        String queue = Amqp.unique("large");
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        try (Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2); Connection c3 = cluster.connect(3)) {
            List<Channel> channels = List.of(c1.createChannel(), c2.createChannel(), c3.createChannel());
            channels.get(0).queueDeclare(queue, true, false, false, null);
            // every ordered pair of distinct nodes: publish on one, get on the other
            for (int from = 0; from < 3; from++) {
                for (int to = 0; to < 3; to++) {
                    if (from == to) continue;
                    Channel publisher = channels.get(from);
                    publisher.confirmSelect();
                    publisher.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2)
                            .messageId(from + "->" + to).build(), body);
                    publisher.waitForConfirmsOrDie(30_000);
                    GetResponse got = getEventually(channels.get(to), queue, Duration.ofSeconds(15));
                    assertNotNull(got, "node " + (from + 1) + " -> node " + (to + 1) + ": nothing to get");
                    assertEquals(from + "->" + to, got.getProps().getMessageId());
                    assertEquals(size, got.getBody().length, "body length node " + (from + 1) + " -> node " + (to + 1));
                    assertArrayEquals(body, got.getBody(), "body bytes node " + (from + 1) + " -> node " + (to + 1));
                }
            }
            channels.get(2).queueDelete(queue);
        }
    }

    @Test
    void publisherConfirmsFromEveryNodeToOneQueue() throws Exception {
        String queue = Amqp.unique("confirms");
        int perNode = 500;
        try (Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2); Connection c3 = cluster.connect(3)) {
            List<Connection> connections = List.of(c1, c2, c3);
            c1.createChannel().queueDeclare(queue, true, false, false, null);
            List<Channel> publishers = new ArrayList<>();
            for (Connection connection : connections) {
                Channel channel = connection.createChannel();
                channel.confirmSelect();
                publishers.add(channel);
            }
            // interleaved, so that the three nodes' Enqueue batches reach the queue concurrently
            for (int i = 0; i < perNode; i++) {
                for (int n = 0; n < publishers.size(); n++) {
                    publishers.get(n).basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                            ("node" + (n + 1) + "-" + i).getBytes(StandardCharsets.UTF_8));
                }
            }
            for (Channel publisher : publishers) {
                assertTrue(publisher.waitForConfirms(30_000), "every message confirmed (no nack)");
            }
            Channel check = c3.createChannel();
            assertEquals(3 * perNode, check.queueDeclarePassive(queue).getMessageCount(),
                    "confirmed messages are all in the queue");
            // and they are really in PostgreSQL, the cluster's shared journal
            assertTrue(cluster.database().journalRows() > 0, "the nodes journal to PostgreSQL");
            check.queueDelete(queue);
        }
    }

    @Test
    void bindingDeclaredOnOneNodeRoutesPublishesOnTheOthers() throws Exception {
        String exchange = Amqp.unique("topic");
        String queue = Amqp.unique("bound");
        try (Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2); Connection c3 = cluster.connect(3)) {
            Channel admin = c1.createChannel();
            admin.exchangeDeclare(exchange, "topic", true);
            admin.queueDeclare(queue, true, false, false, null);
            admin.queueBind(queue, exchange, "orders.*");
            // Other nodes' routing replicas learn the binding asynchronously: publish until one arrives.
            for (Connection publisherConnection : List.of(c2, c3)) {
                Channel publisher = publisherConnection.createChannel();
                String marker = "via " + publisherConnection.getClientProvidedName();
                GetResponse got = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (got == null && System.nanoTime() < deadline) {
                    publisher.basicPublish(exchange, "orders.new", null, marker.getBytes(StandardCharsets.UTF_8));
                    got = getEventually(admin, queue, Duration.ofMillis(500));
                }
                assertNotNull(got, "binding made on node 1 routes a publish " + marker);
                assertEquals(marker, new String(got.getBody(), StandardCharsets.UTF_8));
                admin.queuePurge(queue);
                // a key the binding does not match is dropped; the next matching one (same channel, so in order) arrives
                publisher.basicPublish(exchange, "payments.new", null, "unrouted".getBytes(StandardCharsets.UTF_8));
                publisher.basicPublish(exchange, "orders.paid", null, "routed".getBytes(StandardCharsets.UTF_8));
                GetResponse next = getEventually(admin, queue, Duration.ofSeconds(5));
                assertNotNull(next, "orders.paid routed " + marker);
                assertEquals("routed", new String(next.getBody(), StandardCharsets.UTF_8));
            }
            admin.queueDelete(queue);
            admin.exchangeDelete(exchange);
        }
    }

    @Test
    void directReplyToReachesTheRequesterFromEveryNode() throws Exception {
        String queue = Amqp.unique("rpc");
        byte[] big = new byte[300 * 1024]; // above remoting's frame size: the large-message path
        new Random(7).nextBytes(big);
        try (Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2); Connection c3 = cluster.connect(3)) {
            Channel requester = c1.createChannel();
            requester.queueDeclare(queue, false, false, false, null);
            RecordingConsumer replies = new RecordingConsumer(requester);
            requester.basicConsume("amq.rabbitmq.reply-to", true, replies);
            requester.basicPublish("", queue, new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                    "request".getBytes(StandardCharsets.UTF_8));
            GetResponse request = getEventually(c2.createChannel(), queue, Duration.ofSeconds(15));
            assertNotNull(request, "the request reached node 2");
            String address = request.getProps().getReplyTo();
            for (Connection responder : List.of(c2, c3)) {
                Channel reply = responder.createChannel();
                reply.confirmSelect();
                reply.basicPublish("", address, new AMQP.BasicProperties.Builder().correlationId("from " + responder).build(), big);
                reply.waitForConfirmsOrDie(10_000);
                Delivery delivered = replies.take(Duration.ofSeconds(15));
                assertEquals("from " + responder, delivered.getProperties().getCorrelationId());
                assertArrayEquals(big, delivered.getBody());
                assertEquals(1, reply.queueDeclarePassive(address).getConsumerCount(), "the requester's node says it is there");
            }
            requester.close();
            Channel probe = c3.createChannel();
            Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, probe, () -> probe.queueDeclarePassive(address));
            c1.createChannel().queueDelete(queue);
        }
    }

    @Test
    void consumerTimeoutClosesChannelsOnOtherNodes() throws Exception {
        String queue = Amqp.unique("timeout");
        try (Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2); Connection c3 = cluster.connect(3)) {
            Channel admin = c1.createChannel();
            admin.queueDeclare(queue, false, false, false, Map.of("x-consumer-timeout", 1000));
            // two consumers on two nodes: at least one is remote from the queue, whichever node owns it
            List<CompletableFuture<ShutdownSignalException>> closes = new ArrayList<>();
            for (Connection node : List.of(c2, c3)) {
                Channel slow = node.createChannel();
                var closed = new CompletableFuture<ShutdownSignalException>();
                slow.addShutdownListener(closed::complete);
                closes.add(closed);
                slow.basicQos(1);
                slow.basicConsume(queue, false, new RecordingConsumer(slow));
            }
            admin.confirmSelect();
            admin.basicPublish("", queue, null, "one".getBytes(StandardCharsets.UTF_8));
            admin.basicPublish("", queue, null, "two".getBytes(StandardCharsets.UTF_8));
            admin.waitForConfirmsOrDie(10_000);
            for (var closed : closes) {
                var signal = closed.get(15, TimeUnit.SECONDS);
                assertEquals(AMQP.PRECONDITION_FAILED, Amqp.replyCode(signal));
                assertTrue(Amqp.replyText(signal).contains("timed out. Timeout value used: 1000 ms"), Amqp.replyText(signal));
            }
            assertEventually(Duration.ofSeconds(10), () -> admin.queueDeclarePassive(queue).getMessageCount() == 2,
                    "both messages back in the queue");
            admin.queueDelete(queue);
        }
    }

    private static GetResponse getEventually(Channel channel, String queue, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            GetResponse response = channel.basicGet(queue, true);
            if (response != null) return response;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return null;
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    static void assertEventually(Duration timeout, Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            Thread.sleep(100);
        }
    }
}
