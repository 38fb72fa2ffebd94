package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import io.warren.it.BrokerUnderTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Sender-selected distribution: CC and BCC headers add routing keys; BCC is not delivered. */
class SenderSelectedTest extends FeatureTest {
    SenderSelectedTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void ccAndBccReachTheirQueuesAndBccIsStripped() throws Exception {
        String exchange = declareExchange("ss", "direct");
        String main = declareQueue("main");
        String cc = declareQueue("cc");
        String bcc = declareQueue("bcc");
        channel.queueBind(main, exchange, "main");
        channel.queueBind(cc, exchange, "cc");
        channel.queueBind(bcc, exchange, "bcc");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("CC", List.of("cc"), "BCC", List.of("bcc"), "other", "kept")).build();
        publishConfirmed(exchange, "main", props, "memo");

        for (String queue : List.of(main, cc, bcc)) {
            var got = awaitGet(queue);
            assertEquals("memo", text(got.getBody()));
            assertEquals("main", got.getEnvelope().getRoutingKey(), "delivered with the publish's routing key");
            Map<String, Object> headers = got.getProps().getHeaders();
            assertFalse(headers.containsKey("BCC"), () -> "BCC must be stripped, got " + headers);
            assertEquals(List.of("cc"), strings(headers.get("CC")));
            assertEquals("kept", str(headers.get("other")));
        }
    }

    @Test
    void aQueueMatchedByTwoKeysGetsOneCopy() throws Exception {
        String exchange = declareExchange("ss", "direct");
        String queue = declareQueue("both");
        channel.queueBind(queue, exchange, "a");
        channel.queueBind(queue, exchange, "b");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("CC", List.of("b"))).build();
        publishConfirmed(exchange, "a", props, "once");
        assertEquals(List.of("once"), drain(queue));
    }

    @Test
    void ccWorksWithTopicExchangesAndTheDefaultExchange() throws Exception {
        String exchange = declareExchange("ss", "topic");
        String logs = declareQueue("logs");
        String direct = declareQueue("direct");
        channel.queueBind(logs, exchange, "log.*");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("CC", List.of("log.error"))).build();
        publishConfirmed(exchange, "unbound.key", props, "topic-cc");
        assertEquals(List.of("topic-cc"), drain(logs));

        AMQP.BasicProperties toQueue = new AMQP.BasicProperties.Builder()
                .headers(Map.of("BCC", List.of(direct))).build();
        publishConfirmed("", "no-such-queue-" + System.nanoTime(), toQueue, "default-bcc");
        var got = awaitGet(direct);
        assertEquals("default-bcc", text(got.getBody()));
        assertFalse(got.getProps().getHeaders().containsKey("BCC"));
    }
}
