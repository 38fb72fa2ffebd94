package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * x-consumer-timeout: a channel holding a delivery unacknowledged for longer is closed with 406, and what it held
 * goes back to the queue for other consumers.
 */
class ConsumerTimeoutTest extends FeatureTest {
    ConsumerTimeoutTest(BrokerUnderTest broker) {
        super(broker);
    }

    @BeforeEach
    void needsATimeoutTheBrokerHonours() {
        // RabbitMQ before 3.12 ignores x-consumer-timeout: validate against it with its broker-wide timeout at
        // 1000 ms (RMQ_CONSUMER_TIMEOUT=1000 tests/rabbitmq-validate.sh -Dtest=ConsumerTimeoutTest).
        assumeTrue(!broker.isExternal() || "1000".equals(System.getProperty("warren.it.broker-consumer-timeout")),
                "external broker without -Dwarren.it.broker-consumer-timeout=1000");
    }

    private static String timeoutText(int channelNumber, int millis) {
        return "PRECONDITION_FAILED - delivery acknowledgement on channel " + channelNumber + " timed out. Timeout value"
                + " used: " + millis + " ms. This timeout value can be configured, see consumers doc guide to learn more";
    }

    @Test
    void anUnackedDeliveryClosesTheChannelAndIsRedeliveredToAnotherConsumer() throws Exception {
        String queue = declareQueue("timeout", "x-consumer-timeout", 1000);
        Channel slow = otherConnection().createChannel();
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        slow.addShutdownListener(closed::complete);
        RecordingConsumer slowConsumer = new RecordingConsumer(slow);
        slow.basicConsume(queue, false, slowConsumer);
        publishConfirmed("", queue, "held", "also held");
        assertEquals("held", text(slowConsumer.take().getBody()));
        long deliveredAt = System.nanoTime();

        ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
        long afterMillis = (System.nanoTime() - deliveredAt) / 1_000_000;
        assertFalse(signal.isHardError(), () -> "the connection closed: " + signal);
        assertEquals(AMQP.PRECONDITION_FAILED, Amqp.replyCode(signal));
        assertEquals(timeoutText(slow.getChannelNumber(), 1000), Amqp.replyText(signal));
        AMQP.Channel.Close close = (AMQP.Channel.Close) signal.getReason();
        assertEquals(0, close.getClassId());
        assertEquals(0, close.getMethodId());
        assertTrue(afterMillis >= 900, "closed after " + afterMillis + " ms, before the timeout");
        assertTrue(slow.getConnection().isOpen(), "only the channel closes");

        RecordingConsumer next = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, next);
        Delivery first = next.take();
        Delivery second = next.take();
        assertEquals("held", text(first.getBody()));
        assertTrue(first.getEnvelope().isRedeliver(), "the timed-out delivery comes back redelivered");
        assertEquals("also held", text(second.getBody()));
        channel.basicAck(second.getEnvelope().getDeliveryTag(), true);
    }

    @Test
    void deliveriesAckedInTimeKeepTheChannelOpen() throws Exception {
        String queue = declareQueue("timeout", "x-consumer-timeout", 1000);
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, consumer);
        for (int i = 0; i < 4; i++) {
            publishConfirmed("", queue, "m" + i);
            Delivery d = consumer.take();
            Thread.sleep(400);
            channel.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }
        Thread.sleep(1200);
        assertTrue(channel.isOpen(), "every delivery was acked within the timeout");
        Amqp.assertUsable(connection);
    }

    @Test
    void aBasicGetDeliveryTimesOutToo() throws Exception {
        String queue = declareQueue("timeout", "x-consumer-timeout", 1000);
        publishConfirmed("", queue, "fetched");
        Channel fetching = connection.createChannel();
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        fetching.addShutdownListener(closed::complete);
        assertEquals("fetched", text(fetching.basicGet(queue, false).getBody()));
        ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
        assertEquals(timeoutText(fetching.getChannelNumber(), 1000), Amqp.replyText(signal));
        assertEquals("fetched", text(awaitGet(queue).getBody()), "back in the queue");
    }

    @Test
    void noAckConsumersNeverTimeOut() throws Exception {
        String queue = declareQueue("timeout", "x-consumer-timeout", 500);
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, consumer);
        publishConfirmed("", queue, "fire and forget");
        assertEquals("fire and forget", text(consumer.take().getBody()));
        consumer.assertNoDelivery(Duration.ofMillis(1500));
        assertTrue(channel.isOpen());
    }
}
