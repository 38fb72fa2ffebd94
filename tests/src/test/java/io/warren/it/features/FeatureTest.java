package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Helpers shared by the queue-feature tests: queues with arguments, header reading, polling. */
abstract class FeatureTest extends ConnectedTest {

    protected FeatureTest(BrokerUnderTest broker) {
        super(broker);
    }

    /** A non-durable queue with these arguments (key/value pairs), deleted after the test. */
    protected String declareQueue(String prefix, Object... keyValues) throws Exception {
        String name = Amqp.unique(prefix);
        channel.queueDeclare(name, false, false, false, args(keyValues));
        deleteQueueAfterTest(name);
        return name;
    }

    protected static Map<String, Object> args(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    /** A field-table string as the Java client decodes it (LongString) or as given (String), as text. */
    protected static String str(Object value) {
        if (value instanceof LongString || value instanceof String) {
            return value.toString();
        }
        throw new AssertionError("expected a string, got " + (value == null ? "nothing" : value.getClass().getSimpleName() + " " + value));
    }

    /** The x-death array of a dead-lettered message, most recent death first. */
    @SuppressWarnings("unchecked")
    protected static List<Map<String, Object>> xDeath(AMQP.BasicProperties properties) {
        assertNotNull(properties.getHeaders(), "no headers on the dead letter");
        Object deaths = properties.getHeaders().get("x-death");
        assertNotNull(deaths, () -> "no x-death header in " + properties.getHeaders());
        return (List<Map<String, Object>>) deaths;
    }

    protected static List<String> strings(Object array) {
        List<String> result = new ArrayList<>();
        for (Object o : (List<?>) array) {
            result.add(str(o));
        }
        return result;
    }

    /** basic.get (auto-ack) until a message arrives in {@code queue}, at most 5 s. */
    protected GetResponse awaitGet(String queue) throws Exception {
        return Amqp.awaitGet(channel, queue);
    }

    protected void awaitMessageCount(String queue, int expected) throws Exception {
        Amqp.awaitMessageCount(channel, queue, expected);
    }

    /**
     * Sleeps {@code millis}, then asserts that queue.declare-passive says 404. Not a polling loop: a passive
     * declare counts as use for x-expires in RabbitMQ and would keep the queue alive.
     */
    protected void assertQueueGoneAfter(String queue, long millis) throws Exception {
        Thread.sleep(millis);
        var probe = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, probe, () -> probe.queueDeclarePassive(queue));
    }

    /** basic.get with manual ack on the test's channel until a message arrives, at most 5 s; it stays unacked. */
    protected GetResponse awaitUnacked(String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            GetResponse response = channel.basicGet(queue, false);
            if (response != null) {
                return response;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no message arrived in " + queue + " within 5 s");
    }
}
