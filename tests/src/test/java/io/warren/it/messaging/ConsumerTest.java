package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsumerTest extends ConnectedTest {
    ConsumerTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void exclusiveConsumerLocksOutOthers() throws Exception {
        String queue = declareQueue("q.exclusive-consumer");
        channel.basicConsume(queue, false, "", false, true, Map.of(), new RecordingConsumer(channel));
        Channel second = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, second,
                () -> second.basicConsume(queue, false, new RecordingConsumer(second)));

        String shared = declareQueue("q.shared");
        channel.basicConsume(shared, false, new RecordingConsumer(channel));
        Channel third = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, third,
                () -> third.basicConsume(shared, false, "", false, true, Map.of(), new RecordingConsumer(third)));
    }

    @Test
    void consumerTagMustBeUniqueOnAChannel() throws Exception {
        String queue = declareQueue("q.tag");
        channel.basicConsume(queue, true, "my-tag", new RecordingConsumer(channel));
        Amqp.assertConnectionClosedBy(AMQP.NOT_ALLOWED, channel,
                () -> channel.basicConsume(queue, true, "my-tag", new RecordingConsumer(channel)));
    }

    @Test
    void noAckConsumerEmptiesTheQueue() throws Exception {
        String queue = declareQueue("q.noack");
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, consumer);
        publishConfirmed("", queue, "1", "2", "3");
        List<String> bodies = new ArrayList<>();
        for (Delivery delivery : consumer.take(3)) {
            bodies.add(text(delivery.getBody()));
            assertFalse(delivery.getEnvelope().isRedeliver());
        }
        assertEquals(List.of("1", "2", "3"), bodies);
        assertEquals(0, connection.createChannel().queueDeclarePassive(queue).getMessageCount());
    }

    @Test
    void basicGetReportsRemainingCountAndGetEmpty() throws Exception {
        String queue = declareQueue("q.get");
        assertNull(channel.basicGet(queue, true), "get-empty on an empty queue");
        publishConfirmed("", queue, "a", "b", "c");
        GetResponse first = channel.basicGet(queue, false);
        assertEquals("a", text(first.getBody()));
        assertEquals(2, first.getMessageCount());
        assertEquals(queue, first.getEnvelope().getRoutingKey());
        assertEquals("", first.getEnvelope().getExchange());
        assertEquals(1, first.getEnvelope().getDeliveryTag());
        GetResponse second = channel.basicGet(queue, true);
        assertEquals(1, second.getMessageCount());
        assertEquals(2, second.getEnvelope().getDeliveryTag());
        channel.basicAck(first.getEnvelope().getDeliveryTag(), false);
        assertEquals("c", text(channel.basicGet(queue, true).getBody()));
        assertNull(channel.basicGet(queue, true));
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.basicGet(Amqp.unique("q.none"), true));
    }

    @Test
    void roundRobinOverThreeConsumers() throws Exception {
        String queue = declareQueue("q.roundrobin");
        List<RecordingConsumer> consumers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Channel consumerChannel = connection.createChannel();
            RecordingConsumer consumer = new RecordingConsumer(consumerChannel);
            consumerChannel.basicConsume(queue, true, consumer);
            consumers.add(consumer);
        }
        String[] bodies = new String[9];
        for (int i = 0; i < 9; i++) {
            bodies[i] = "m" + i;
        }
        publishConfirmed("", queue, bodies);
        for (RecordingConsumer consumer : consumers) {
            consumer.take(3);
            consumer.assertNoDelivery(Duration.ofMillis(200));
        }
    }

    @Test
    void deliversInPublishOrder() throws Exception {
        String queue = declareQueue("q.fifo");
        String[] bodies = new String[200];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = String.valueOf(i);
        }
        publishConfirmed("", queue, bodies);
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, consumer);
        for (int i = 0; i < bodies.length; i++) {
            assertEquals(String.valueOf(i), text(consumer.take().getBody()));
        }
    }

    @Test
    void cancelStopsDeliveries() throws Exception {
        String queue = declareQueue("q.cancel");
        RecordingConsumer consumer = new RecordingConsumer(channel);
        String tag = channel.basicConsume(queue, true, consumer);
        publishConfirmed("", queue, "before");
        assertEquals("before", text(consumer.take().getBody()));
        channel.basicCancel(tag);
        publishConfirmed("", queue, "after");
        consumer.assertNoDelivery(Duration.ofMillis(300));
        assertEquals(1, channel.queueDeclarePassive(queue).getMessageCount());
        assertFalse(consumer.cancelledByBroker().isDone(), "a client cancel is not a broker cancel");
    }

    @Test
    void consumingFromAMissingQueueIsNotFound() {
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel,
                () -> channel.basicConsume(Amqp.unique("q.none"), true, new RecordingConsumer(channel)));
    }
}
