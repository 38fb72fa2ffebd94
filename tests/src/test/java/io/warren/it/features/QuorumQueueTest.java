package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * x-queue-type quorum: what RabbitMQ 3.10 refuses, x-delivery-count, x-delivery-limit and dead-lettering of poison
 * messages (reason delivery_limit).
 */
class QuorumQueueTest extends FeatureTest {
    QuorumQueueTest(BrokerUnderTest broker) {
        super(broker);
    }

    /** A durable quorum queue with these extra arguments, deleted after the test. */
    private String declareQuorum(String prefix, Object... keyValues) throws Exception {
        String name = Amqp.unique(prefix);
        Map<String, Object> args = args(keyValues);
        args.put("x-queue-type", "quorum");
        channel.queueDeclare(name, true, false, false, args);
        deleteQueueAfterTest(name);
        return name;
    }

    private void assertRefused(String expectedText, boolean durable, boolean exclusive, boolean autoDelete,
                               Object... keyValues) throws Exception {
        String name = Amqp.unique("qq-refused");
        Map<String, Object> args = args(keyValues);
        args.put("x-queue-type", "quorum");
        Channel ch = connection.createChannel();
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, ch,
                () -> ch.queueDeclare(name, durable, exclusive, autoDelete, args));
        assertEquals(expectedText.replace("%q", name), Amqp.replyText(signal));
    }

    @Test
    void durableQuorumQueueIsDeclaredAndRedeclared() throws Exception {
        String q = declareQuorum("qq", "x-quorum-initial-group-size", 3, "x-delivery-limit", 5);
        var ok = channel.queueDeclare(q, true, false, false,
                args("x-queue-type", "quorum", "x-quorum-initial-group-size", 3, "x-delivery-limit", 5));
        assertEquals(0, ok.getMessageCount());
        Channel ch = connection.createChannel();
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, ch,
                () -> ch.queueDeclare(q, true, false, false, null));
        assertTrue(Amqp.replyText(signal).startsWith("PRECONDITION_FAILED - inequivalent arg 'x-"), Amqp.replyText(signal));
    }

    @Test
    void propertiesAndArgumentsQuorumQueuesRefuse() throws Exception {
        assertRefused("PRECONDITION_FAILED - invalid property 'non-durable' for queue '%q' in vhost '/'", false, false, false);
        assertRefused("PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue '%q' in vhost '/'", true, true, false);
        assertRefused("PRECONDITION_FAILED - invalid property 'auto-delete' for queue '%q' in vhost '/'", false, true, true);
        assertRefused("PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '%q' in vhost '/' of queue type "
                + "rabbit_quorum_queue", true, false, false, "x-max-priority", 10);
        assertRefused("PRECONDITION_FAILED - invalid arg 'x-queue-mode' for queue '%q' in vhost '/' of queue type "
                + "rabbit_quorum_queue", true, false, false, "x-queue-mode", "lazy");
        assertRefused("PRECONDITION_FAILED - invalid arg 'x-quorum-initial-group-size' for queue '%q' in vhost '/': "
                + "{value_zero,0}", true, false, false, "x-quorum-initial-group-size", 0);
    }

    @Test
    void classicQueuesRefuseTheDeliveryLimit() throws Exception {
        String name = Amqp.unique("cq-limit");
        Channel ch = connection.createChannel();
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, ch,
                () -> ch.queueDeclare(name, true, false, false, args("x-delivery-limit", 3)));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue '" + name
                + "' in vhost '/' of queue type rabbit_classic_queue", Amqp.replyText(signal));
    }

    @Test
    void deliveryCountHeaderCountsReturns() throws Exception {
        String q = declareQuorum("qq-count");
        publishConfirmed("", q, new AMQP.BasicProperties.Builder().headers(Map.of("app", "kept")).build(), "m");
        GetResponse first = awaitUnacked(q);
        assertFalse(first.getEnvelope().isRedeliver());
        assertEquals(0L, first.getProps().getHeaders().get("x-delivery-count"), "basic.get carries it from the start");
        channel.basicNack(first.getEnvelope().getDeliveryTag(), false, true);
        GetResponse second = awaitUnacked(q);
        assertTrue(second.getEnvelope().isRedeliver());
        assertEquals(1L, second.getProps().getHeaders().get("x-delivery-count"));
        assertEquals("kept", str(second.getProps().getHeaders().get("app")));

        // a channel closing with the message unacked is a return too; a consumer's first delivery has no header
        Channel other = connection.createChannel();
        String fresh = declareQuorum("qq-fresh");
        publishConfirmed("", fresh, "f");
        RecordingConsumer freshConsumer = new RecordingConsumer(other);
        other.basicConsume(fresh, false, freshConsumer);
        assertNull(freshConsumer.take(1).get(0).getProperties().getHeaders());
        channel.close();
        channel = connection.createChannel();
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(q, false, consumer);
        Delivery d = consumer.take(1).get(0);
        assertEquals(2L, d.getProperties().getHeaders().get("x-delivery-count"));
        assertTrue(d.getEnvelope().isRedeliver());
    }

    @Test
    void poisonMessageIsDeadLetteredWithReasonDeliveryLimit() throws Exception {
        String dlx = declareExchange("qq-dlx", "fanout");
        String dlq = declareQueue("qq-dlq");
        channel.queueBind(dlq, dlx, "");
        String q = declareQuorum("qq-poison", "x-delivery-limit", 1, "x-dead-letter-exchange", dlx);
        publishConfirmed("", q, new AMQP.BasicProperties.Builder().headers(Map.of("app", "kept")).build(), "poison");
        for (int i = 0; i < 2; i++) {
            GetResponse got = awaitUnacked(q);
            channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
        }
        GetResponse dead = awaitGet(dlq);
        assertEquals("poison", text(dead.getBody()));
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertEquals("kept", str(headers.get("app")));
        assertFalse(headers.containsKey("x-delivery-count"), "dead letters do not carry it: " + headers);
        List<Map<String, Object>> deaths = xDeath(dead.getProps());
        assertEquals("delivery_limit", str(deaths.get(0).get("reason")));
        assertEquals(q, str(deaths.get(0).get("queue")));
        assertEquals("delivery_limit", str(headers.get("x-first-death-reason")));
        assertNull(channel.basicGet(q, true), "the poison message left the quorum queue");
    }

    @Test
    void poisonMessageWithoutDlxIsDropped() throws Exception {
        String q = declareQuorum("qq-drop", "x-delivery-limit", 0);
        publishConfirmed("", q, "poison", "next");
        GetResponse got = awaitUnacked(q);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), true);
        assertEquals(List.of("next"), drain(q));
    }

    /** RabbitMQ 3.10: a quorum queue takes no consumer from a channel with a global prefetch limit (540, the
     *  connection closes); a per-consumer limit, or a global one set back to 0, is fine. */
    @Test
    void consumeOnAChannelWithGlobalPrefetchIsRefusedWith540() throws Exception {
        String q = declareQuorum("qq-global-qos");
        Channel perConsumer = connection.createChannel();
        perConsumer.basicQos(10, false);
        perConsumer.basicConsume(q, false, new RecordingConsumer(perConsumer));
        Channel unlimited = connection.createChannel();
        unlimited.basicQos(10, true);
        unlimited.basicQos(0, true);
        unlimited.basicConsume(q, false, new RecordingConsumer(unlimited));

        Channel global = otherConnection().createChannel();
        global.basicQos(10, true);
        var signal = Amqp.assertConnectionClosedBy(AMQP.NOT_IMPLEMENTED, global,
                () -> global.basicConsume(q, false, new RecordingConsumer(global)));
        assertEquals("NOT_IMPLEMENTED - queue '" + q + "' in vhost '/' does not support global qos", Amqp.replyText(signal));
    }
}
