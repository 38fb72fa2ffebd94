package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** x-priority on basic.consume: higher-priority consumers get messages while they have credit. */
class ConsumerPriorityTest extends FeatureTest {
    ConsumerPriorityTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void theHighestPriorityConsumerWithCreditGetsEverything() throws Exception {
        String queue = declareQueue("cprio");
        RecordingConsumer low = new RecordingConsumer(channel);
        RecordingConsumer high = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, "", false, false, Map.of("x-priority", 1), low);
        channel.basicConsume(queue, true, "", false, false, Map.of("x-priority", 10), high);
        publishConfirmed("", queue, "1", "2", "3", "4");
        high.take(4);
        low.assertNoDelivery(Duration.ofMillis(200));
    }

    @Test
    void lowerPriorityConsumersGetMessagesWhenTheHigherOnesAreBlocked() throws Exception {
        String queue = declareQueue("cprio");
        Channel highChannel = connection.createChannel();
        highChannel.basicQos(2);
        RecordingConsumer high = new RecordingConsumer(highChannel);
        highChannel.basicConsume(queue, false, "", false, false, Map.of("x-priority", 5), high);
        RecordingConsumer low = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, "", false, false, Map.of("x-priority", -1), low);

        publishConfirmed("", queue, "1", "2", "3", "4", "5");
        var highGot = high.take(2);
        assertEquals("1", text(highGot.get(0).getBody()));
        assertEquals("2", text(highGot.get(1).getBody()));
        assertEquals(3, low.take(3).size());
        high.assertNoDelivery(Duration.ofMillis(100));

        highChannel.basicAck(highGot.get(1).getEnvelope().getDeliveryTag(), true);
        publishConfirmed("", queue, "6");
        assertEquals("6", text(high.take().getBody()));
        low.assertNoDelivery(Duration.ofMillis(100));
    }

    @Test
    void equalPrioritiesShareRoundRobin() throws Exception {
        String queue = declareQueue("cprio");
        RecordingConsumer a = new RecordingConsumer(channel);
        RecordingConsumer b = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, "", false, false, Map.of("x-priority", 3), a);
        channel.basicConsume(queue, true, "", false, false, Map.of("x-priority", 3), b);
        publishConfirmed("", queue, "1", "2", "3", "4");
        a.take(2);
        b.take(2);
    }

    @Test
    void nonIntegerPriorityIsRefused() throws Exception {
        String queue = declareQueue("cprio");
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicConsume(queue, true, "", false, false, Map.of("x-priority", "high"),
                        new RecordingConsumer(channel)));
        assertTrue(Amqp.replyText(signal).contains("x-priority"), Amqp.replyText(signal));
    }
}
