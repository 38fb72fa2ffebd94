package io.warren.it.connection;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RawAmqpConnection;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SharedBroker.class)
class HeartbeatTest {
    private final BrokerUnderTest broker;

    HeartbeatTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @Test
    void clientRequestedTwoSecondsStaysAliveWhileIdle() throws Exception {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setRequestedHeartbeat(2);
        try (Connection connection = factory.newConnection()) {
            assertEquals(2, connection.getHeartbeat(), "the lower of client's and server's value wins");
            // Idle for three heartbeat intervals: both sides must keep sending heartbeats, or one closes.
            Thread.sleep(6_000);
            Amqp.assertUsable(connection);
        }
    }

    @Test
    void serverTuneValueIsHonoured() throws Exception {
        int proposed;
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            proposed = raw.tune().heartbeat();
            assertTrue(raw.tune().frameMax() >= 4096, "frame-max below the spec's minimum: " + raw.tune());
            assertTrue(raw.tune().channelMax() == 0 || raw.tune().channelMax() >= 300, "channel-max: " + raw.tune());
        }
        assertTrue(proposed > 0, "server should propose a heartbeat (RabbitMQ: 60 s)");

        ConnectionFactory asksMore = broker.connectionFactory();
        asksMore.setRequestedHeartbeat(proposed + 30);
        try (Connection connection = asksMore.newConnection()) {
            assertEquals(proposed, connection.getHeartbeat());
            Amqp.assertUsable(connection);
        }
        ConnectionFactory leavesItToServer = broker.connectionFactory();
        leavesItToServer.setRequestedHeartbeat(0);
        try (Connection connection = leavesItToServer.newConnection()) {
            assertEquals(proposed, connection.getHeartbeat());
        }
    }

    @Test
    void serverSendsHeartbeatFrames() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 1)) {
            raw.setReadTimeout(Duration.ofSeconds(4));
            RawAmqpConnection.Frame frame = raw.readFrame();
            assertEquals(RawAmqpConnection.FRAME_HEARTBEAT, frame.type(), "got " + frame);
            assertEquals(0, frame.channel());
            assertEquals(0, frame.payload().length);
        }
    }

    @Test
    void silentClientIsDisconnectedAfterMissedHeartbeats() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 1)) {
            // We never send a heartbeat: the server must give up on us (RabbitMQ: after ~2 intervals).
            raw.awaitServerClosed(Duration.ofSeconds(10));
        }
    }
}
