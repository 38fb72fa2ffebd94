package io.warren.it.conformance;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Differences the RabbitMQ Java client's functional suite found (issue 14): argument validation texts, CR/LF in names,
 * idempotent queue.unbind, and another connection's exclusive queue. Each expectation checked on RabbitMQ 3.10.8.
 */
class ConformanceTest extends ConnectedTest {
    ConformanceTest(BrokerUnderTest broker) {
        super(broker);
    }

    private String closedWith(int code, Amqp.Operation operation, Channel ch) {
        return Amqp.replyText(Amqp.assertChannelClosedBy(code, ch, operation));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void xMatchThatIsNotAStringIsRefused() throws Exception {
        String headers = declareExchange("cf-headers", "headers");
        String direct = declareExchange("cf-direct", "direct");
        String q = declareQueue("cf-q");
        Channel ch = connection.createChannel();
        assertEquals("PRECONDITION_FAILED - Invalid x-match field type signedint (value 1); expected longstr",
                closedWith(AMQP.PRECONDITION_FAILED, () -> ch.queueBind(q, headers, "", map("x-match", 1)), ch));
        Channel ch2 = connection.createChannel();
        assertEquals("PRECONDITION_FAILED - Invalid x-match field type bool (value true); expected longstr",
                closedWith(AMQP.PRECONDITION_FAILED, () -> ch2.exchangeBind(direct, headers, "", map("x-match", true)), ch2));
    }

    @Test
    void nullConsumerPriorityIsRefused() throws Exception {
        String q = declareQueue("cf-prio");
        Channel ch = connection.createChannel();
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-priority' for queue '" + q + "' in vhost '/': "
                        + "\"expected integer, got void\"",
                closedWith(AMQP.PRECONDITION_FAILED,
                        () -> ch.basicConsume(q, false, map("x-priority", null), new DefaultConsumer(ch)), ch));
        Channel ch2 = connection.createChannel();
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-priority' for queue '" + q + "' in vhost '/': "
                        + "\"expected integer, got longstr\"",
                closedWith(AMQP.PRECONDITION_FAILED,
                        () -> ch2.basicConsume(q, false, map("x-priority", "high"), new DefaultConsumer(ch2)), ch2));
    }

    @Test
    void ccOrBccHeaderThatIsNotAnArrayRefusesThePublish() throws Exception {
        String q = declareQueue("cf-cc");
        for (String header : List.of("CC", "BCC")) {
            Channel ch = connection.createChannel();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(map(header, "other-key")).build();
            assertEquals("PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,\"" + header + "\",longstr}",
                    closedWith(AMQP.PRECONDITION_FAILED, () -> {
                        ch.basicPublish("", q, props, bytes("x"));
                        ch.queueDeclarePassive(q);
                    }, ch));
        }
        assertEquals(0, channel.queueDeclarePassive(q).getMessageCount());
        // an array is fine, and its non-string elements are skipped
        publishConfirmed("", q, new AMQP.BasicProperties.Builder().headers(map("CC", List.of(1, q + "-none"))).build(), "ok");
        assertEquals(List.of("ok"), drain(q));
    }

    @Test
    void crAndLfAreStrippedFromQueueAndExchangeNames() throws Exception {
        String q = Amqp.unique("cf-crlf");
        String e = Amqp.unique("cf-crlf-x");
        deleteQueueAfterTest(q);
        deleteAfterTest(e);
        AMQP.Queue.DeclareOk ok = channel.queueDeclare(q.substring(0, 5) + "\r\n" + q.substring(5), false, false, false, null);
        assertEquals(q, ok.getQueue());
        channel.queueDeclarePassive(q);
        channel.exchangeDeclare("\r" + e + "\n", "direct");
        channel.exchangeDeclarePassive(e);
        channel.queueBind(q + "\n", e + "\r", "k");
        publishConfirmed(e, "k", "routed");
        assertEquals(List.of("routed"), drain(q));
        channel.queueUnbind(q + "\r", "\n" + e, "k");
        channel.exchangeDelete(e + "\r\n");
        channel.queueDelete("\n" + q);
        Channel probe = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, probe, () -> probe.queueDeclarePassive(q));
    }

    @Test
    void unbindingAnUnknownBindingAnswersUnbindOk() throws Exception {
        String e = declareExchange("cf-unbind", "direct");
        String q = declareQueue("cf-unbind");
        channel.queueUnbind(q, e, "never-bound");
        // nothing of it needs to exist (the Java client's BindingLifecycle#unbind)
        channel.queueUnbind(Amqp.unique("cf-no-queue"), e, "k");
        channel.queueUnbind(q, Amqp.unique("cf-no-exchange"), "k");
        channel.queueUnbind(Amqp.unique("cf-no-queue"), Amqp.unique("cf-no-exchange"), "k");
        channel.exchangeUnbind(Amqp.unique("cf-no-exchange"), e, "k");
        channel.queueBind(q, e, "k");
        channel.queueUnbind(q, e, "k");
        channel.queueUnbind(q, e, "k");
        channel.queueDeclarePassive(q);
    }

    @Test
    void anotherConnectionsExclusiveQueueIsLocked() throws Exception {
        String e = declareExchange("cf-excl", "direct");
        String q = channel.queueDeclare(Amqp.unique("cf-excl"), false, true, false, null).getQueue();
        channel.queueBind(q, e, "mine");
        Connection other = otherConnection();
        String locked = "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '" + q + "' in vhost '/'. It"
                + " could be originally declared on another connection or the exclusive property value does not match"
                + " that of the original declaration.";
        Channel c1 = other.createChannel();
        assertEquals(locked, closedWith(AMQP.RESOURCE_LOCKED, () -> c1.queueBind(q, e, "theirs"), c1));
        Channel c2 = other.createChannel();
        assertEquals(locked, closedWith(AMQP.RESOURCE_LOCKED, () -> c2.queueUnbind(q, e, "mine"), c2));
        Channel c3 = other.createChannel();
        assertEquals(locked, closedWith(AMQP.RESOURCE_LOCKED, () -> c3.queuePurge(q), c3));
        Channel c4 = other.createChannel();
        assertEquals(locked, closedWith(AMQP.RESOURCE_LOCKED, () -> c4.queueDelete(q), c4));
        Channel c5 = other.createChannel();
        assertEquals(locked, closedWith(AMQP.RESOURCE_LOCKED, () -> c5.basicConsume(q, new DefaultConsumer(c5)), c5));
        Channel c6 = other.createChannel();
        assertEquals(locked, closedWith(AMQP.RESOURCE_LOCKED, () -> c6.basicGet(q, true), c6));
        // the owner's binding is intact and the owner may still change it
        publishConfirmed(e, "mine", "still-bound");
        assertEquals(1, channel.queueDeclarePassive(q).getMessageCount());
        channel.queueUnbind(q, e, "mine");
    }

    /** RabbitMQ 3.10 limits by count only: basic.qos with a prefetch-size closes the connection with 540. */
    @Test
    void prefetchSizeIsNotImplemented() throws Exception {
        Channel ch = otherConnection().createChannel();
        var signal = Amqp.assertConnectionClosedBy(AMQP.NOT_IMPLEMENTED, ch, () -> ch.basicQos(1024, 10, false));
        assertEquals("NOT_IMPLEMENTED - prefetch_size!=0 (1024)", Amqp.replyText(signal));
    }

    /** basic.recover with requeue=false: 540, as RabbitMQ 3.10 (recover-async too: NotImplementedTest). */
    @Test
    void recoverWithoutRequeueIsNotImplemented() throws Exception {
        Channel ch = otherConnection().createChannel();
        var signal = Amqp.assertConnectionClosedBy(AMQP.NOT_IMPLEMENTED, ch, () -> ch.basicRecover(false));
        assertEquals("NOT_IMPLEMENTED - requeue=false", Amqp.replyText(signal));
    }
}
