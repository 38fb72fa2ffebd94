package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct reply-to: a requester consumes the pseudo-queue amq.rabbitmq.reply-to (no-ack) and publishes requests with
 * reply_to = amq.rabbitmq.reply-to; the broker rewrites it to an address that reaches that channel, and a reply
 * published to the default exchange with that routing key goes straight to the requester, from any connection.
 */
class DirectReplyToTest extends FeatureTest {
    private static final String REPLY_TO = "amq.rabbitmq.reply-to";

    DirectReplyToTest(BrokerUnderTest broker) {
        super(broker);
    }

    /** A responder on another connection that answers every request on {@code queue} with "re: " + body. */
    private Channel startResponder(String queue) throws Exception {
        Channel responder = otherConnection().createChannel();
        responder.confirmSelect();
        responder.basicConsume(queue, true, (tag, request) -> {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .correlationId(request.getProperties().getCorrelationId()).build();
            responder.basicPublish("", request.getProperties().getReplyTo(), props,
                    bytes("re: " + text(request.getBody())));
        }, tag -> { });
        return responder;
    }

    private static AMQP.BasicProperties request(String correlationId) {
        return new AMQP.BasicProperties.Builder().replyTo(REPLY_TO).correlationId(correlationId).build();
    }

    @Test
    void rpcAcrossTwoConnections() throws Exception {
        String queue = declareQueue("rpc");
        startResponder(queue);
        java.util.concurrent.BlockingQueue<Delivery> replies = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<String> deliveredTo = new CompletableFuture<>();
        String tag = channel.basicConsume(REPLY_TO, true, (consumerTag, reply) -> {
            deliveredTo.complete(consumerTag);
            replies.add(reply);
        }, consumerTag -> { });

        channel.basicPublish("", queue, request("c1"), bytes("one"));
        channel.basicPublish("", queue, request("c2"), bytes("two"));

        Delivery first = replies.poll(5, TimeUnit.SECONDS);
        Delivery second = replies.poll(5, TimeUnit.SECONDS);
        assertNotNull(first, "no reply within 5 s");
        assertNotNull(second, "no second reply within 5 s");
        assertEquals("re: one", text(first.getBody()));
        assertEquals("c1", first.getProperties().getCorrelationId());
        assertEquals("re: two", text(second.getBody()));
        assertEquals("c2", second.getProperties().getCorrelationId());
        assertEquals(tag, deliveredTo.get());
        assertEquals("", first.getEnvelope().getExchange());
        assertTrue(first.getEnvelope().getRoutingKey().startsWith(REPLY_TO + "."), first.getEnvelope().getRoutingKey());
        assertFalse(first.getEnvelope().isRedeliver());
        Amqp.assertUsable(connection);
    }

    @Test
    void replyToIsRewrittenToAnAddressOfTheRequestingChannel() throws Exception {
        String queue = declareQueue("rpc");
        channel.basicConsume(REPLY_TO, true, new RecordingConsumer(channel));
        Channel second = connection.createChannel();
        second.basicConsume(REPLY_TO, true, new RecordingConsumer(second));

        channel.basicPublish("", queue, request("a"), bytes("from 1"));
        second.basicPublish("", queue, request("b"), bytes("from 2"));
        String first = awaitGet(queue).getProps().getReplyTo();
        String other = awaitGet(queue).getProps().getReplyTo();
        assertTrue(first.startsWith(REPLY_TO + ".") && first.length() > REPLY_TO.length() + 1, first);
        assertTrue(other.startsWith(REPLY_TO + "."), other);
        assertNotEquals(first, other, "each channel has its own address");
    }

    @Test
    void cancelEndsTheAddressAndANewConsumerGetsANewOne() throws Exception {
        String queue = declareQueue("rpc");
        RecordingConsumer before = new RecordingConsumer(channel);
        assertEquals("my-replies", channel.basicConsume(REPLY_TO, true, "my-replies", before));
        channel.basicPublish("", queue, request("x"), bytes("ping"));
        String oldAddress = awaitGet(queue).getProps().getReplyTo();
        channel.basicCancel("my-replies");

        var refused = connection.createChannel();
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, refused,
                () -> refused.basicPublish("", queue, request("none"), bytes("no consumer here")));
        assertEquals("PRECONDITION_FAILED - fast reply consumer does not exist", Amqp.replyText(signal));

        RecordingConsumer after = new RecordingConsumer(channel);
        channel.basicConsume(REPLY_TO, true, "my-replies", after);
        channel.basicPublish("", queue, request("y"), bytes("ping again"));
        String newAddress = awaitGet(queue).getProps().getReplyTo();
        assertNotEquals(oldAddress, newAddress);

        Channel responder = otherConnection().createChannel();
        responder.basicPublish("", oldAddress, null, bytes("to the old consumer"));
        responder.basicPublish("", newAddress, null, bytes("to the new consumer"));
        assertEquals("to the new consumer", text(after.take().getBody()), "the old address reached nobody");
        after.assertNoDelivery(Duration.ofMillis(200));
    }

    @Test
    void repliesToAChannelThatClosedAreDroppedAndMandatoryOnesReturned() throws Exception {
        String queue = declareQueue("rpc");
        Channel requester = connection.createChannel();
        requester.basicConsume(REPLY_TO, true, new RecordingConsumer(requester));
        requester.basicPublish("", queue, request("gone"), bytes("hello"));
        String address = awaitGet(queue).getProps().getReplyTo();
        requester.close();

        Channel responder = otherConnection().createChannel();
        responder.confirmSelect();
        CompletableFuture<Return> returned = new CompletableFuture<>();
        responder.addReturnListener(returned::complete);
        responder.basicPublish("", address, true, null, bytes("nobody listens"));
        responder.waitForConfirmsOrDie(5_000);
        Return r = returned.get(5, TimeUnit.SECONDS);
        assertEquals(AMQP.NO_ROUTE, r.getReplyCode());
        assertEquals("NO_ROUTE", r.getReplyText());
        assertEquals(address, r.getRoutingKey());
        assertTrue(responder.isOpen(), "a reply to a vanished requester is no error");
    }

    @Test
    void mandatoryRepliesAreReturnedEvenWhenDelivered() throws Exception {
        // RabbitMQ routes a reply to no queue, so mandatory=true always gets basic.return 312 (and a confirm ack).
        String queue = declareQueue("rpc");
        RecordingConsumer replies = new RecordingConsumer(channel);
        String address = sendRequest(queue, replies, "m");

        Channel responder = otherConnection().createChannel();
        responder.confirmSelect();
        CompletableFuture<Return> returned = new CompletableFuture<>();
        responder.addReturnListener(returned::complete);
        responder.basicPublish("", address, true, null, bytes("answer"));
        responder.waitForConfirmsOrDie(5_000);
        assertEquals("answer", text(replies.take().getBody()));
        assertEquals(AMQP.NO_ROUTE, returned.get(5, TimeUnit.SECONDS).getReplyCode());
    }

    @Test
    void madeUpAddressesReachNobodyAndHurtNothing() throws Exception {
        String queue = declareQueue("rpc");
        RecordingConsumer replies = new RecordingConsumer(channel);
        String address = sendRequest(queue, replies, "f");
        String token = address.substring(REPLY_TO.length() + 1);

        for (String key : List.of(REPLY_TO + ".", REPLY_TO + ".garbage", REPLY_TO + ".!!not base64!!",
                address + "AAAA", REPLY_TO + "." + new StringBuilder(token).reverse(),
                REPLY_TO + "." + token.substring(0, token.length() / 2))) {
            Connection forgerConnection = otherConnection();
            Channel forger = forgerConnection.createChannel();
            forger.confirmSelect();
            forger.basicPublish("", key, null, bytes("forged " + key));
            try {
                forger.waitForConfirmsOrDie(5_000);
                Amqp.assertUsable(forgerConnection);
            } catch (ShutdownSignalException | IOException closed) {
                // RabbitMQ 3.10 fails to decode such an address and closes the connection with 541 INTERNAL_ERROR;
                // Warren drops the message and carries on.
                assertTrue(broker.isExternal(), () -> "publishing to " + key + " closed the connection: " + closed);
                assertEquals(AMQP.INTERNAL_ERROR, Amqp.replyCode(forgerConnection.getCloseReason()));
            }
        }
        replies.assertNoDelivery(Duration.ofMillis(300));
        Channel responder = otherConnection().createChannel();
        responder.basicPublish("", address, null, bytes("genuine"));
        assertEquals("genuine", text(replies.take().getBody()));
        Amqp.assertUsable(connection);
    }

    @Test
    void ccToAReplyAddressAlsoDelivers() throws Exception {
        String queue = declareQueue("rpc");
        String copy = declareQueue("rpc.copy");
        RecordingConsumer replies = new RecordingConsumer(channel);
        String address = sendRequest(queue, replies, "cc");

        Channel responder = otherConnection().createChannel();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("CC", List.of(address))).build();
        responder.basicPublish("", copy, props, bytes("both"));
        assertEquals("both", text(replies.take().getBody()));
        assertEquals("both", text(awaitGet(copy).getBody()));
    }

    @Test
    void consumingWithAcknowledgementsIsRefused() throws Exception {
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicConsume(REPLY_TO, false, new RecordingConsumer(channel)));
        assertEquals("PRECONDITION_FAILED - reply consumer cannot acknowledge", Amqp.replyText(signal));
        Amqp.assertUsable(connection);
    }

    @Test
    void oneReplyConsumerPerChannel() throws Exception {
        channel.basicConsume(REPLY_TO, true, new RecordingConsumer(channel));
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicConsume(REPLY_TO, true, new RecordingConsumer(channel)));
        assertEquals("PRECONDITION_FAILED - reply consumer already set", Amqp.replyText(signal));
        Channel other = connection.createChannel();
        other.basicConsume(REPLY_TO, true, new RecordingConsumer(other)); // another channel may have its own
        assertTrue(other.isOpen());
    }

    @Test
    void publishingWithReplyToWithoutAReplyConsumerIsRefused() throws Exception {
        String queue = declareQueue("rpc");
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicPublish("", queue, request("none"), bytes("hello")));
        assertEquals("PRECONDITION_FAILED - fast reply consumer does not exist", Amqp.replyText(signal));
        Channel check = connection.createChannel();
        assertEquals(0, check.queueDeclarePassive(queue).getMessageCount(), "the request was not routed");
    }

    @Test
    void replyConsumerOnAnotherChannelDoesNotCount() throws Exception {
        String queue = declareQueue("rpc");
        Channel consuming = connection.createChannel();
        consuming.basicConsume(REPLY_TO, true, new RecordingConsumer(consuming));
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicPublish("", queue, request("elsewhere"), bytes("hello")));
        assertTrue(consuming.isOpen());
    }

    @Test
    void declaringThePseudoQueueAnswersOkWithOneConsumer() throws Exception {
        // RabbitMQ answers 0 messages, 1 consumer, whether or not anyone consumes, passive or not.
        AMQP.Queue.DeclareOk passive = channel.queueDeclarePassive(REPLY_TO);
        assertEquals(REPLY_TO, passive.getQueue());
        assertEquals(0, passive.getMessageCount());
        assertEquals(1, passive.getConsumerCount());
        AMQP.Queue.DeclareOk active = channel.queueDeclare(REPLY_TO, false, true, true, null);
        assertEquals(REPLY_TO, active.getQueue());
        assertEquals(1, active.getConsumerCount());
    }

    @Test
    void declaringAReplyAddressTellsWhetherItsConsumerIsStillThere() throws Exception {
        String queue = declareQueue("rpc");
        Channel requester = otherConnection().createChannel();
        requester.basicConsume(REPLY_TO, true, new RecordingConsumer(requester));
        requester.basicPublish("", queue, request("d"), bytes("hello"));
        String address = awaitGet(queue).getProps().getReplyTo();

        AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(address);
        assertEquals(address, ok.getQueue());
        assertEquals(0, ok.getMessageCount());
        assertEquals(1, ok.getConsumerCount());

        requester.close();
        var signal = Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.queueDeclarePassive(address));
        assertEquals("NOT_FOUND - no queue '" + address + "' in vhost '/'", Amqp.replyText(signal));
    }

    @Test
    void unknownReplyAddressIsNotFoundOnDeclare() throws Exception {
        var signal = Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel,
                () -> channel.queueDeclarePassive(REPLY_TO + ".garbage"));
        assertEquals("NOT_FOUND - no queue '" + REPLY_TO + ".garbage' in vhost '/'", Amqp.replyText(signal));
    }

    /** Consumes replies on the test channel, sends one request to {@code queue} and returns its rewritten reply-to. */
    private String sendRequest(String queue, RecordingConsumer replies, String correlationId) throws Exception {
        channel.basicConsume(REPLY_TO, true, replies);
        channel.basicPublish("", queue, request(correlationId), bytes("hello"));
        return awaitGet(queue).getProps().getReplyTo();
    }
}
