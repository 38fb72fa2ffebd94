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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AcknowledgementTest extends ConnectedTest {
    AcknowledgementTest(BrokerUnderTest broker) {
        super(broker);
    }

    private List<Delivery> consumeManually(String queue, int count) throws Exception {
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, consumer);
        return consumer.take(count);
    }

    @Test
    void ackMultipleAcknowledgesEverythingUpToTheTag() throws Exception {
        String queue = declareQueue("q.ackmulti");
        publishConfirmed("", queue, "1", "2", "3", "4");
        List<Delivery> deliveries = consumeManually(queue, 4);
        channel.basicAck(deliveries.get(2).getEnvelope().getDeliveryTag(), true);
        channel.close();
        // only the fourth was left unacked, and closing the channel requeued it
        Channel check = connection.createChannel();
        GetResponse left = Amqp.awaitGet(check, queue);
        assertEquals("4", text(left.getBody()));
        assertTrue(left.getEnvelope().isRedeliver());
        assertEquals(0, left.getMessageCount());
    }

    @Test
    void nackMultipleWithRequeueRedeliversInOrder() throws Exception {
        String queue = declareQueue("q.nack");
        publishConfirmed("", queue, "1", "2", "3");
        Channel consumerChannel = connection.createChannel();
        RecordingConsumer consumer = new RecordingConsumer(consumerChannel);
        consumerChannel.basicConsume(queue, false, consumer);
        List<Delivery> first = consumer.take(3);
        first.forEach(d -> assertFalse(d.getEnvelope().isRedeliver()));
        consumerChannel.basicNack(first.get(2).getEnvelope().getDeliveryTag(), true, true);
        List<Delivery> again = consumer.take(3);
        assertEquals(List.of("1", "2", "3"), again.stream().map(d -> text(d.getBody())).toList());
        again.forEach(d -> assertTrue(d.getEnvelope().isRedeliver(), "redelivered flag after requeue"));
        consumerChannel.basicAck(again.get(2).getEnvelope().getDeliveryTag(), true);
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
    }

    @Test
    void nackOrRejectWithoutRequeueDropsTheMessage() throws Exception {
        String queue = declareQueue("q.drop");
        publishConfirmed("", queue, "1", "2", "3");
        List<Delivery> deliveries = consumeManually(queue, 3);
        channel.basicReject(deliveries.get(0).getEnvelope().getDeliveryTag(), false);
        channel.basicNack(deliveries.get(2).getEnvelope().getDeliveryTag(), true, false);
        channel.close();
        Channel check = connection.createChannel();
        Amqp.awaitMessageCount(check, queue, 0);
    }

    @Test
    void rejectWithRequeueRedelivers() throws Exception {
        String queue = declareQueue("q.reject");
        publishConfirmed("", queue, "only");
        GetResponse got = channel.basicGet(queue, false);
        assertFalse(got.getEnvelope().isRedeliver());
        channel.basicReject(got.getEnvelope().getDeliveryTag(), true);
        GetResponse again = Amqp.awaitGet(channel, queue);
        assertEquals("only", text(again.getBody()));
        assertTrue(again.getEnvelope().isRedeliver());
    }

    @Test
    void unknownDeliveryTagIsPreconditionFailed() {
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.basicAck(99, false));
    }

    @Test
    void doubleAckIsPreconditionFailed() throws Exception {
        String queue = declareQueue("q.doubleack");
        publishConfirmed("", queue, "x");
        GetResponse got = channel.basicGet(queue, false);
        long tag = got.getEnvelope().getDeliveryTag();
        channel.basicAck(tag, false);
        // the second ack is asynchronous: the channel.close comes after it
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.basicAck(tag, false));
        assertTrue(Amqp.replyText(signal).contains("unknown delivery tag"), Amqp.replyText(signal));
    }

    @Test
    void recoverRedeliversUnackedMessages() throws Exception {
        String queue = declareQueue("q.recover");
        publishConfirmed("", queue, "1", "2");
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, consumer);
        consumer.take(2);
        channel.basicRecover(true);
        List<Delivery> again = consumer.take(2);
        assertEquals(List.of("1", "2"), again.stream().map(d -> text(d.getBody())).toList());
        again.forEach(d -> assertTrue(d.getEnvelope().isRedeliver()));
        channel.basicAck(again.get(1).getEnvelope().getDeliveryTag(), true);
        consumer.assertNoDelivery(Duration.ofMillis(200));
        Amqp.awaitMessageCount(channel, queue, 0);
    }

    @Test
    void closingTheChannelRequeuesUnackedWithRedeliveredFlag() throws Exception {
        String queue = declareQueue("q.requeue-on-close");
        publishConfirmed("", queue, "a", "b");
        Channel consumerChannel = connection.createChannel();
        RecordingConsumer consumer = new RecordingConsumer(consumerChannel);
        consumerChannel.basicConsume(queue, false, consumer);
        consumer.take(2);
        consumerChannel.close();

        RecordingConsumer next = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, next);
        List<Delivery> again = next.take(2);
        assertEquals(List.of("a", "b"), again.stream().map(d -> text(d.getBody())).toList());
        again.forEach(d -> assertTrue(d.getEnvelope().isRedeliver()));
    }

    @Test
    void closingTheConnectionRequeuesUnacked() throws Exception {
        String queue = declareQueue("q.requeue-on-conn-close");
        publishConfirmed("", queue, "a");
        var other = otherConnection();
        Channel consumerChannel = other.createChannel();
        RecordingConsumer consumer = new RecordingConsumer(consumerChannel);
        consumerChannel.basicConsume(queue, false, consumer);
        consumer.take();
        other.abort();
        GetResponse again = Amqp.awaitGet(channel, queue);
        assertTrue(again.getEnvelope().isRedeliver());
    }
}
