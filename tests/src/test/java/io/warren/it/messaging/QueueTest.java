package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueTest extends ConnectedTest {
    QueueTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void serverNamedQueuesStartWithAmqGen() throws Exception {
        AMQP.Queue.DeclareOk first = channel.queueDeclare();
        AMQP.Queue.DeclareOk second = channel.queueDeclare("", false, true, true, null);
        assertTrue(first.getQueue().startsWith("amq.gen-"), first.getQueue());
        assertTrue(second.getQueue().startsWith("amq.gen-"), second.getQueue());
        assertTrue(!first.getQueue().equals(second.getQueue()));
        assertEquals(0, first.getMessageCount());
        assertEquals(0, first.getConsumerCount());
    }

    @Test
    void amqPrefixIsReservedForQueues() {
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, channel,
                () -> channel.queueDeclare("amq.it-" + System.nanoTime(), false, false, true, null));
    }

    @Test
    void exclusiveQueueIsLockedForOtherConnectionsAndGoesWithItsOwner() throws Exception {
        Connection owner = otherConnection();
        Channel ownerChannel = owner.createChannel();
        String queue = Amqp.unique("q.exclusive");
        ownerChannel.queueDeclare(queue, false, true, false, null);

        Amqp.assertChannelClosedBy(AMQP.RESOURCE_LOCKED, channel, () -> channel.queueDeclarePassive(queue));
        Channel second = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.RESOURCE_LOCKED, second,
                () -> second.basicConsume(queue, true, new RecordingConsumer(second)));
        Channel third = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.RESOURCE_LOCKED, third, () -> third.queueDelete(queue));

        ownerChannel.basicPublish("", queue, null, bytes("mine"));
        assertEquals("mine", text(Amqp.awaitGet(ownerChannel, queue).getBody()));
        owner.close();

        Channel after = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, after, () -> after.queueDeclarePassive(queue));
    }

    @Test
    void autoDeleteQueueGoesWhenItsLastConsumerCancels() throws Exception {
        String queue = Amqp.unique("q.autodelete");
        channel.queueDeclare(queue, false, false, true, null);
        Channel consumers = connection.createChannel();
        String first = consumers.basicConsume(queue, true, new RecordingConsumer(consumers));
        String second = consumers.basicConsume(queue, true, new RecordingConsumer(consumers));
        consumers.basicCancel(first);
        assertEquals(1, channel.queueDeclarePassive(queue).getConsumerCount());
        consumers.basicCancel(second);
        awaitQueueGone(queue);
    }

    @Test
    void autoDeleteQueueGoesWhenItsConsumersChannelCloses() throws Exception {
        String queue = Amqp.unique("q.autodelete");
        channel.queueDeclare(queue, false, false, true, null);
        Channel consumers = connection.createChannel();
        consumers.basicConsume(queue, false, new RecordingConsumer(consumers));
        consumers.close();
        awaitQueueGone(queue);
    }

    private void awaitQueueGone(String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (Channel probe = connection.createChannel()) {
                probe.queueDeclarePassive(queue);
            } catch (java.io.IOException gone) {
                assertEquals(AMQP.NOT_FOUND, Amqp.replyCode((com.rabbitmq.client.ShutdownSignalException) gone.getCause()));
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("auto-delete queue " + queue + " still exists");
    }

    @Test
    void passiveDeclareOfMissingQueueIsNotFound() {
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueDeclarePassive(Amqp.unique("q.missing")));
    }

    @Test
    void redeclareWithDifferentPropertiesIsPreconditionFailed() throws Exception {
        String queue = declareQueue("q.mismatch");
        channel.queueDeclare(queue, false, false, false, null);
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.queueDeclare(queue, true, false, false, null));
    }

    @Test
    void declareOkCountsReadyMessagesAndConsumers() throws Exception {
        String queue = declareQueue("q.counts");
        publishConfirmed("", queue, "1", "2", "3");
        AMQP.Queue.DeclareOk before = channel.queueDeclare(queue, false, false, false, null);
        assertEquals(3, before.getMessageCount());
        assertEquals(0, before.getConsumerCount());

        Channel consumerChannel = connection.createChannel();
        consumerChannel.basicQos(1);
        RecordingConsumer consumer = new RecordingConsumer(consumerChannel);
        consumerChannel.basicConsume(queue, false, consumer);
        consumer.take();
        // the unacked message no longer counts as ready
        AMQP.Queue.DeclareOk during = channel.queueDeclarePassive(queue);
        assertEquals(2, during.getMessageCount());
        assertEquals(1, during.getConsumerCount());
    }

    @Test
    void purgeReturnsTheNumberOfMessagesRemoved() throws Exception {
        String queue = declareQueue("q.purge");
        publishConfirmed("", queue, "a", "b", "c", "d", "e");
        assertEquals(5, channel.queuePurge(queue).getMessageCount());
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
        assertEquals(0, channel.queuePurge(queue).getMessageCount());
    }

    @Test
    void deleteReturnsTheMessageCountAndIsIdempotent() throws Exception {
        String queue = Amqp.unique("q.delete");
        channel.queueDeclare(queue, false, false, false, null);
        publishConfirmed("", queue, "a", "b");
        assertEquals(2, channel.queueDelete(queue).getMessageCount());
        channel.queueDelete(queue);
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueDeclarePassive(queue));
    }

    @Test
    void deleteIfEmptyRefusesAQueueWithMessages() throws Exception {
        String queue = declareQueue("q.ifempty");
        publishConfirmed("", queue, "a");
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.queueDelete(queue, false, true));
        assertEquals(1, connection.createChannel().queueDeclarePassive(queue).getMessageCount());
    }

    @Test
    void deleteIfUnusedRefusesAQueueWithConsumers() throws Exception {
        String queue = declareQueue("q.ifunused");
        Channel consumerChannel = connection.createChannel();
        consumerChannel.basicConsume(queue, true, new RecordingConsumer(consumerChannel));
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.queueDelete(queue, true, false));
        assertEquals(1, connection.createChannel().queueDeclarePassive(queue).getConsumerCount());
    }

    @Test
    void deletingAQueueCancelsItsConsumers() throws Exception {
        String queue = Amqp.unique("q.cancelled");
        channel.queueDeclare(queue, false, false, false, null);
        Channel consumerChannel = otherConnection().createChannel();
        RecordingConsumer consumer = new RecordingConsumer(consumerChannel);
        String tag = consumerChannel.basicConsume(queue, false, consumer);
        channel.queueDelete(queue);
        assertEquals(tag, consumer.cancelledByBroker().get(5, TimeUnit.SECONDS));
        assertTrue(consumerChannel.isOpen(), "basic.cancel leaves the channel open");
    }

    @Test
    void bindAndUnbindOnANamedExchange() throws Exception {
        String exchange = declareExchange("x.bind", "topic");
        String queue = declareQueue("q.bind");
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueBind(queue, Amqp.unique("x.none"), "k"));
        channel = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueBind(Amqp.unique("q.none"), exchange, "k"));
        channel = connection.createChannel();
        channel.queueBind(queue, exchange, "k.*");
        publishConfirmed(exchange, "k.1", "in");
        channel.queueUnbind(queue, exchange, "k.*");
        publishConfirmed(exchange, "k.2", "out");
        assertEquals(List.of("in"), drain(queue));
    }
}
