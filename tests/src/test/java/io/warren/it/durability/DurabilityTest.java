package io.warren.it.durability;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.KeptProperties;
import io.warren.it.RawAmqpConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Restarts its own Warren process on the same data directory: durable topology and persistent,
 * confirmed messages must survive both a graceful stop and kill -9; transient things must not.
 * Skipped in external mode, where the suite cannot restart the broker.
 */
class DurabilityTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final AMQP.BasicProperties TRANSIENT = new AMQP.BasicProperties.Builder().deliveryMode(1).build();

    private static BrokerUnderTest broker;

    @BeforeAll
    static void startOwnBroker() {
        assumeFalse(BrokerUnderTest.isExternalMode(), "durability tests restart the broker: Warren mode only");
        broker = BrokerUnderTest.startWarren("durability", Map.of());
    }

    @AfterAll
    static void stopOwnBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private record Topology(String exchange, String durableQueue, String transientQueue) {}

    private static Topology declareTopology(Channel channel) throws Exception {
        Topology topology = new Topology(Amqp.unique("x.durable"), Amqp.unique("q.durable"), Amqp.unique("q.transient"));
        channel.exchangeDeclare(topology.exchange(), "direct", true);
        channel.queueDeclare(topology.durableQueue(), true, false, false, null);
        channel.queueBind(topology.durableQueue(), topology.exchange(), "k");
        channel.queueDeclare(topology.transientQueue(), false, false, false, null);
        return topology;
    }

    private static List<String> publishMix(Channel channel, Topology topology, int count) throws Exception {
        channel.confirmSelect();
        List<String> persistent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = "p" + i;
            channel.basicPublish(topology.exchange(), "k", PERSISTENT, body.getBytes(StandardCharsets.UTF_8));
            persistent.add(body);
            channel.basicPublish(topology.exchange(), "k", TRANSIENT, ("t" + i).getBytes(StandardCharsets.UTF_8));
            channel.basicPublish("", topology.transientQueue(), PERSISTENT, ("gone" + i).getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(30_000);
        return persistent;
    }

    private static void assertSurvivors(Topology topology, List<String> persistent) throws Exception {
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclarePassive(topology.exchange());
            assertEquals(persistent.size(), channel.queueDeclarePassive(topology.durableQueue()).getMessageCount(),
                    "persistent messages survive, transient ones do not");
            List<String> bodies = new ArrayList<>();
            for (GetResponse r = channel.basicGet(topology.durableQueue(), true); r != null;
                 r = channel.basicGet(topology.durableQueue(), true)) {
                bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
            }
            assertEquals(persistent, bodies, "same messages, same order");

            // the binding survived too
            channel.confirmSelect();
            channel.basicPublish(topology.exchange(), "k", PERSISTENT, "after".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            assertEquals("after", new String(Amqp.awaitGet(channel, topology.durableQueue()).getBody(), StandardCharsets.UTF_8));

            Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueDeclarePassive(topology.transientQueue()));
        }
    }

    @Test
    void durableTopologyAndPersistentMessagesSurviveAGracefulRestart() throws Exception {
        Topology topology;
        List<String> persistent;
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel();
            topology = declareTopology(channel);
            persistent = publishMix(channel, topology, 50);
        }
        broker.restart();
        assertSurvivors(topology, persistent);
    }

    /** The journal keeps the property bytes as published: after kill -9 and recovery they are delivered unchanged. */
    @Test
    void propertiesComeBackFromTheJournalByteForByte() throws Exception {
        String queue = Amqp.unique("q.props");
        try (Connection connection = broker.newConnection()) {
            connection.createChannel().queueDeclare(queue, true, false, false, null);
        }
        byte[] props = KeptProperties.everyPropertyWithBinaryIds(); // delivery-mode 2 among them
        byte[] body = "journalled".getBytes(StandardCharsets.UTF_8);
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            KeptProperties.publishConfirmed(raw, queue, props, body);
        }
        broker.killAndRestart();
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            assertArrayEquals(props, KeptProperties.getProperties(raw, queue, body, Duration.ofSeconds(30)));
        }
    }

    @Test
    void confirmedPersistentMessagesSurviveKillNine() throws Exception {
        Topology topology;
        List<String> persistent;
        Connection connection = broker.newConnection();
        Channel channel = connection.createChannel();
        topology = declareTopology(channel);
        persistent = publishMix(channel, topology, 500);
        broker.killAndRestart();
        connection.abort(); // its broker died under it
        assertSurvivors(topology, persistent);
    }

    @Test
    void unackedPersistentMessagesComeBackRedeliveredAfterKillNine() throws Exception {
        String queue = Amqp.unique("q.unacked");
        Connection doomed = broker.newConnection();
        Channel doomedChannel = doomed.createChannel();
        doomedChannel.queueDeclare(queue, true, false, false, null);
        doomedChannel.confirmSelect();
        doomedChannel.basicPublish("", queue, PERSISTENT, "held".getBytes(StandardCharsets.UTF_8));
        doomedChannel.waitForConfirmsOrDie(10_000);
        GetResponse held = doomedChannel.basicGet(queue, false);
        assertEquals("held", new String(held.getBody(), StandardCharsets.UTF_8));
        broker.killAndRestart();
        doomed.abort();
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel();
            GetResponse back = Amqp.awaitGet(channel, queue);
            assertEquals("held", new String(back.getBody(), StandardCharsets.UTF_8));
            assertTrue(back.getEnvelope().isRedeliver(), "a message delivered before the crash is flagged redelivered");
        }
    }

    /** A quorum queue's x-delivery-count is journalled with the returns: a restart or kill -9 does not reset it. */
    @Test
    void quorumDeliveryCountSurvivesARestartAndKillNine() throws Exception {
        String queue = Amqp.unique("q.quorum-count");
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            channel.confirmSelect();
            channel.basicPublish("", queue, TRANSIENT, "returned".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            for (int i = 0; i < 2; i++) {
                GetResponse got = getUnacked(channel, queue);
                channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
            }
        }
        broker.restart();
        Connection connection = broker.newConnection();
        Channel channel = connection.createChannel();
        GetResponse got = getUnacked(channel, queue);
        assertEquals(2L, got.getProps().getHeaders().get("x-delivery-count"), "after a graceful restart");
        channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
        // a nack has no reply: a confirmed publish to the same queue after it is written after its return
        channel.confirmSelect();
        channel.basicPublish("", queue, TRANSIENT, "marker".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);
        broker.killAndRestart();
        connection.abort();
        try (Connection after = broker.newConnection()) {
            Channel ch = after.createChannel();
            GetResponse back = getUnacked(ch, queue);
            assertEquals("returned", new String(back.getBody(), StandardCharsets.UTF_8));
            assertEquals(3L, back.getProps().getHeaders().get("x-delivery-count"), "after kill -9");
            ch.queueDelete(queue);
        }
    }

    /** basic.get without auto-ack until a message arrives, at most 10 s. */
    private static GetResponse getUnacked(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            GetResponse response = channel.basicGet(queue, false);
            if (response != null) return response;
            Thread.sleep(20);
        }
        throw new AssertionError("no message arrived in " + queue + " within 10 s");
    }

    @Test
    void durableQueueDeletionIsDurableToo() throws Exception {
        String queue = Amqp.unique("q.deleted");
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDelete(queue);
        }
        broker.restart();
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel();
            Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueDeclarePassive(queue));
        }
    }
}
