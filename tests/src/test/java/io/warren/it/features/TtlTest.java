package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** x-message-ttl, the expiration property, x-expires. */
class TtlTest extends FeatureTest {
    TtlTest(BrokerUnderTest broker) {
        super(broker);
    }

    private static AMQP.BasicProperties expiring(String expiration) {
        return new AMQP.BasicProperties.Builder().expiration(expiration).build();
    }

    @Test
    void queueTtlDropsMessagesNobodyConsumed() throws Exception {
        String queue = declareQueue("ttl", "x-message-ttl", 200);
        publishConfirmed("", queue, "a", "b");
        assertEquals(2, channel.queueDeclarePassive(queue).getMessageCount());
        awaitMessageCount(queue, 0);
        assertEquals(List.of(), drain(queue));
    }

    @Test
    void messagesWithinTheirTtlAreDelivered() throws Exception {
        String queue = declareQueue("ttl", "x-message-ttl", 5000);
        publishConfirmed("", queue, "fresh");
        assertEquals("fresh", text(awaitGet(queue).getBody()));
    }

    @Test
    void perMessageExpirationDropsTheMessage() throws Exception {
        String queue = declareQueue("expiration");
        publishConfirmed("", queue, expiring("150"), "short");
        publishConfirmed("", queue, "forever");
        Thread.sleep(400);
        // "short" is at the head, so it is expired by now; "forever" stays
        assertEquals(List.of("forever"), drain(queue));
    }

    @Test
    void theLowerOfQueueTtlAndExpirationWins() throws Exception {
        String longQueueTtl = declareQueue("ttl.long", "x-message-ttl", 60_000);
        String shortQueueTtl = declareQueue("ttl.short", "x-message-ttl", 150);
        publishConfirmed("", longQueueTtl, expiring("150"), "message-ttl-lower");
        publishConfirmed("", shortQueueTtl, expiring("60000"), "queue-ttl-lower");
        awaitMessageCount(longQueueTtl, 0);
        awaitMessageCount(shortQueueTtl, 0);
    }

    @Test
    void expirationZeroIsDeliveredOnlyToAWaitingConsumer() throws Exception {
        String queue = declareQueue("ttl0");
        publishConfirmed("", queue, expiring("0"), "nobody-waiting");
        awaitMessageCount(queue, 0);

        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, consumer);
        publishConfirmed("", queue, expiring("0"), "someone-waiting");
        assertEquals("someone-waiting", text(consumer.take().getBody()));
        consumer.assertNoDelivery(Duration.ofMillis(200));
    }

    @Test
    void expiredMessageIsNeverDeliveredToALateConsumer() throws Exception {
        String queue = declareQueue("ttl", "x-message-ttl", 100);
        publishConfirmed("", queue, "stale");
        Thread.sleep(300);
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, consumer);
        consumer.assertNoDelivery(Duration.ofMillis(300));
    }

    @Test
    void expiredAtTheHeadWithNoConsumerIsDeadLettered() throws Exception {
        String dlq = declareQueue("dlq");
        String queue = declareQueue("ttl", "x-message-ttl", 150, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dlq);
        publishConfirmed("", queue, "one", "two");
        awaitMessageCount(dlq, 2);
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
        assertEquals(List.of("one", "two"), drain(dlq));
    }

    @Test
    void invalidExpirationClosesTheChannelWith406() {
        ShutdownSignalException signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicPublish("", "whatever", expiring("soon"), bytes("x")));
        assertEquals("PRECONDITION_FAILED - invalid expiration 'soon': no_integer", Amqp.replyText(signal));
    }

    @Test
    void negativeExpirationClosesTheChannelWith406() throws Exception {
        String queue = declareQueue("expiration");
        ShutdownSignalException signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicPublish("", queue, expiring("-5"), bytes("x")));
        assertEquals("PRECONDITION_FAILED - invalid expiration '-5': {value_negative,-5}", Amqp.replyText(signal));
    }

    @Test
    void expirationWithTrailingTextClosesTheChannelWith406() throws Exception {
        ShutdownSignalException signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicPublish("", "whatever", expiring("100ms"), bytes("x")));
        assertEquals("PRECONDITION_FAILED - invalid expiration '100ms': {leftover_string,\"ms\"}", Amqp.replyText(signal));
    }

    @Test
    void xExpiresDeletesAnUnusedQueue() throws Exception {
        String queue = Amqp.unique("expires");
        channel.queueDeclare(queue, false, false, false, args("x-expires", 300));
        assertQueueGoneAfter(queue, 1000);
    }

    @Test
    void xExpiresWaitsWhileAConsumerIsAttached() throws Exception {
        String queue = Amqp.unique("expires");
        channel.queueDeclare(queue, false, false, false, args("x-expires", 300));
        deleteQueueAfterTest(queue);
        String tag = channel.basicConsume(queue, true, new RecordingConsumer(channel));
        Thread.sleep(700);
        assertEquals(1, channel.queueDeclarePassive(queue).getConsumerCount(), "a queue in use does not expire");
        channel.basicCancel(tag);
        assertQueueGoneAfter(queue, 1000);
    }

    @Test
    void redeclaringResetsTheExpiryTimer() throws Exception {
        String queue = Amqp.unique("expires");
        channel.queueDeclare(queue, false, false, false, args("x-expires", 600));
        deleteQueueAfterTest(queue);
        for (int i = 0; i < 4; i++) {
            Thread.sleep(250);
            channel.queueDeclare(queue, false, false, false, args("x-expires", 600));
        }
        assertTrue(channel.isOpen());
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount(), "still there after 1 s");
        assertQueueGoneAfter(queue, 1300);
    }
}
