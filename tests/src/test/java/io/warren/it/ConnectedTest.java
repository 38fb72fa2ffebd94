package io.warren.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Base for tests that talk to the suite's shared broker through one connection per test, opened before
 * and closed after each test, plus helpers for the usual declare/publish steps.
 */
@ExtendWith(SharedBroker.class)
public abstract class ConnectedTest {
    protected final BrokerUnderTest broker;
    protected Connection connection;
    protected Channel channel;
    private final List<Connection> extraConnections = new ArrayList<>();
    private final List<String> exchangesToDelete = new ArrayList<>();
    private final List<String> queuesToDelete = new ArrayList<>();

    protected ConnectedTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @BeforeEach
    void connect() throws Exception {
        connection = broker.newConnection();
        channel = connection.createChannel();
    }

    @AfterEach
    void disconnect() throws Exception {
        if (!exchangesToDelete.isEmpty() || !queuesToDelete.isEmpty()) {
            try (Connection cleanup = broker.newConnection(); Channel cleaner = cleanup.createChannel()) {
                for (String exchange : exchangesToDelete) {
                    cleaner.exchangeDelete(exchange);
                }
                for (String queue : queuesToDelete) {
                    cleaner.queueDelete(queue);
                }
            }
        }
        for (Connection extra : extraConnections) {
            if (extra.isOpen()) {
                extra.abort();
            }
        }
        if (connection.isOpen()) {
            connection.close();
        }
    }

    /** Another connection, closed after the test. */
    protected Connection otherConnection() throws Exception {
        Connection other = broker.newConnection();
        extraConnections.add(other);
        return other;
    }

    /** A non-durable, non-exclusive queue with a unique name (auto-delete off so it outlives consumers), deleted after the test. */
    protected String declareQueue(String prefix) throws Exception {
        String name = Amqp.unique(prefix);
        channel.queueDeclare(name, false, false, false, null);
        queuesToDelete.add(name);
        return name;
    }

    /** A non-durable, non-auto-delete exchange with a unique name, deleted after the test. */
    protected String declareExchange(String prefix, String type) throws Exception {
        String name = Amqp.unique(prefix);
        channel.exchangeDeclare(name, type, false, false, null);
        exchangesToDelete.add(name);
        return name;
    }

    protected void deleteAfterTest(String exchange) {
        exchangesToDelete.add(exchange);
    }

    protected void deleteQueueAfterTest(String queue) {
        queuesToDelete.add(queue);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Publishes on a confirm channel and waits for the broker's ack, so that the messages are in their
     * queues when this returns (routing is asynchronous in a clustered broker).
     */
    protected void publishConfirmed(String exchange, String routingKey, AMQP.BasicProperties properties,
                                    String... bodies) throws Exception {
        try (Channel confirms = connection.createChannel()) {
            confirms.confirmSelect();
            for (String body : bodies) {
                confirms.basicPublish(exchange, routingKey, properties, bytes(body));
            }
            confirms.waitForConfirmsOrDie(10_000);
        }
    }

    protected void publishConfirmed(String exchange, String routingKey, String... bodies) throws Exception {
        publishConfirmed(exchange, routingKey, null, bodies);
    }

    /** Bodies of every message now ready in {@code queue}, drained with basic.get (auto-ack). */
    protected List<String> drain(String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (var response = channel.basicGet(queue, true); response != null; response = channel.basicGet(queue, true)) {
            bodies.add(text(response.getBody()));
        }
        return bodies;
    }
}
