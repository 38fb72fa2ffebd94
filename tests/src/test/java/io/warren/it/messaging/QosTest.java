package io.warren.it.messaging;

import com.rabbitmq.client.Delivery;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QosTest extends ConnectedTest {
    private static final Duration QUIET = Duration.ofMillis(400);

    QosTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void perConsumerPrefetchLimitsUnackedDeliveries() throws Exception {
        String queue = declareQueue("q.prefetch");
        publishConfirmed("", queue, "1", "2", "3", "4", "5");
        channel.basicQos(2);
        RecordingConsumer first = new RecordingConsumer(channel);
        RecordingConsumer second = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, first);
        List<Delivery> got = first.take(2);
        first.assertNoDelivery(QUIET);
        // per consumer: the second consumer gets its own two
        channel.basicConsume(queue, false, second);
        second.take(2);
        second.assertNoDelivery(QUIET);
        channel.basicAck(got.get(0).getEnvelope().getDeliveryTag(), false);
        assertEquals("5", text(first.take().getBody()));
    }

    @Test
    void globalPrefetchIsSharedByTheChannelsConsumers() throws Exception {
        String a = declareQueue("q.global-a");
        String b = declareQueue("q.global-b");
        publishConfirmed("", a, "a1", "a2", "a3", "a4");
        publishConfirmed("", b, "b1", "b2", "b3", "b4");
        channel.basicQos(3, true);
        RecordingConsumer onA = new RecordingConsumer(channel);
        RecordingConsumer onB = new RecordingConsumer(channel);
        channel.basicConsume(a, false, onA);
        List<Delivery> fromA = onA.take(3);
        channel.basicConsume(b, false, onB);
        onA.assertNoDelivery(QUIET);
        onB.assertNoDelivery(Duration.ZERO);
        channel.basicAck(fromA.get(2).getEnvelope().getDeliveryTag(), true);
        // three credits back, shared by both consumers: four messages are left, three may flow
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (onA.pending() + onB.pending() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(QUIET.toMillis());
        assertEquals(3, onA.pending() + onB.pending());
    }

    @Test
    void prefetchAppliesOnlyToConsumersStartedAfterIt() throws Exception {
        String queue = declareQueue("q.prefetch-late");
        publishConfirmed("", queue, "1", "2", "3", "4");
        RecordingConsumer unlimited = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, unlimited);
        unlimited.take(4);
        channel.basicQos(1);
        publishConfirmed("", queue, "5");
        unlimited.take();
    }

    /** RabbitMQ QosTests.limitIncrease: raising the channel-wide limit lets the consumer have one more at once. */
    @Test
    void raisingTheGlobalLimitRestartsDelivery() throws Exception {
        String queue = declareQueue("q.global-raise");
        channel.basicQos(1, true);
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, consumer);
        publishConfirmed("", queue, "1", "2", "3");
        consumer.take();
        consumer.assertNoDelivery(QUIET);
        channel.basicQos(2, true);
        consumer.take();
        consumer.assertNoDelivery(QUIET);
    }

    /** RabbitMQ QosTests.limitedToUnlimited: a channel-wide limit of 0 lets everything through. */
    @Test
    void settingTheGlobalLimitToZeroRestartsDelivery() throws Exception {
        String queue = declareQueue("q.global-unlimit");
        channel.basicQos(1, true);
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, consumer);
        publishConfirmed("", queue, "1", "2", "3");
        consumer.take();
        channel.basicQos(0, true);
        consumer.take(2);
    }

    /** RabbitMQ QosTests.setLimitAfterConsume: a channel-wide limit set after basic.consume applies to that consumer. */
    @Test
    void aGlobalLimitSetAfterConsumeApplies() throws Exception {
        String queue = declareQueue("q.global-late");
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, consumer);
        channel.basicQos(1, true);
        publishConfirmed("", queue, "1", "2", "3");
        Delivery first = consumer.take();
        consumer.assertNoDelivery(QUIET);
        channel.basicAck(first.getEnvelope().getDeliveryTag(), true);
        consumer.take();
        consumer.assertNoDelivery(QUIET);
    }

    /**
     * RabbitMQ QosTests.noAckObeysLimit: while the channel-wide limit is used up, a no-ack consumer on the channel
     * waits too (RabbitMQ 3.x's limiter); its deliveries do not count against the limit.
     */
    @Test
    void aNoAckConsumerWaitsWhileTheGlobalLimitIsUsedUp() throws Exception {
        String acked = declareQueue("q.global-acked");
        String auto = declareQueue("q.global-noack");
        channel.basicQos(1, true);
        RecordingConsumer manual = new RecordingConsumer(channel);
        channel.basicConsume(acked, false, manual);
        publishConfirmed("", acked, "a1", "a2");
        Delivery first = manual.take();
        RecordingConsumer noAck = new RecordingConsumer(channel);
        channel.basicConsume(auto, true, noAck);
        publishConfirmed("", auto, "n1");
        noAck.assertNoDelivery(QUIET);
        manual.assertNoDelivery(Duration.ZERO);
        channel.basicAck(first.getEnvelope().getDeliveryTag(), false);
        Delivery second = manual.take();
        channel.basicAck(second.getEnvelope().getDeliveryTag(), false);
        assertEquals("n1", text(noAck.take().getBody()));
    }
}
