package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.Return;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import io.warren.it.KeptProperties;
import io.warren.it.RawAmqpConnection;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class PublishTest extends ConnectedTest {
    PublishTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void mandatoryUnroutableMessageComesBackAsNoRoute() throws Exception {
        String exchange = declareExchange("x.mandatory", "direct");
        CompletableFuture<Return> returned = new CompletableFuture<>();
        channel.addReturnListener(returned::complete);
        channel.basicPublish(exchange, "nobody", true, new AMQP.BasicProperties.Builder().messageId("m1").build(), bytes("back"));
        Return back = returned.get(5, TimeUnit.SECONDS);
        assertEquals(AMQP.NO_ROUTE, back.getReplyCode());
        assertEquals("NO_ROUTE", back.getReplyText());
        assertEquals(exchange, back.getExchange());
        assertEquals("nobody", back.getRoutingKey());
        assertEquals("m1", back.getProperties().getMessageId());
        assertEquals("back", text(back.getBody()));
    }

    @Test
    void mandatoryRoutableMessageIsNotReturned() throws Exception {
        String queue = declareQueue("q.mandatory");
        List<Return> returns = new ArrayList<>();
        channel.addReturnListener(returns::add);
        channel.confirmSelect();
        channel.basicPublish("", queue, true, null, bytes("kept"));
        channel.waitForConfirmsOrDie(5_000);
        assertEquals(List.of(), returns);
        assertEquals("kept", text(Amqp.awaitGet(channel, queue).getBody()));
    }

    @Test
    void immediateIsNotImplemented() {
        // RabbitMQ dropped immediate in 3.0: connection.close 540.
        Amqp.assertConnectionClosedBy(AMQP.NOT_IMPLEMENTED, channel,
                () -> channel.basicPublish("", "anything", false, true, null, bytes("now")));
    }

    @Test
    void allPropertiesAndHeadersPassThroughUnchanged() throws Exception {
        String queue = declareQueue("q.props");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner", "value");
        nested.put("n", 7);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("string", "text é ✓");
        headers.put("int", 42);
        headers.put("negative-int", -42);
        headers.put("long", 1L << 40);
        headers.put("bool-true", true);
        headers.put("bool-false", false);
        headers.put("double", 3.25d);
        headers.put("float", 1.5f);
        headers.put("short", (short) 12);
        headers.put("byte", (byte) -3);
        headers.put("decimal", new BigDecimal("123.45"));
        headers.put("timestamp", new Date(1_700_000_000_000L));
        headers.put("bytes", new byte[] {0, 1, 2, (byte) 0xFF});
        headers.put("table", nested);
        headers.put("array", List.of("a", 1, true));
        headers.put("void", null);
        AMQP.BasicProperties sent = new AMQP.BasicProperties.Builder()
                .contentType("application/json").contentEncoding("gzip").headers(headers)
                .deliveryMode(2).priority(5).correlationId("corr-1").replyTo("reply.queue")
                .expiration("600000").messageId("msg-1").timestamp(new Date(1_600_000_000_000L))
                .type("order.created").userId("guest").appId("warren-it").clusterId("cluster-x")
                .build();
        publishConfirmed("", queue, sent, "payload");
        GetResponse got = Amqp.awaitGet(channel, queue);
        AMQP.BasicProperties received = got.getProps();
        assertEquals("application/json", received.getContentType());
        assertEquals("gzip", received.getContentEncoding());
        assertEquals(2, received.getDeliveryMode());
        assertEquals(5, received.getPriority());
        assertEquals("corr-1", received.getCorrelationId());
        assertEquals("reply.queue", received.getReplyTo());
        assertEquals("600000", received.getExpiration());
        assertEquals("msg-1", received.getMessageId());
        assertEquals(new Date(1_600_000_000_000L), received.getTimestamp());
        assertEquals("order.created", received.getType());
        assertEquals("guest", received.getUserId());
        assertEquals("warren-it", received.getAppId());
        assertEquals("cluster-x", received.getClusterId());

        Map<String, Object> got2 = received.getHeaders();
        assertEquals(headers.keySet(), got2.keySet());
        assertEquals("text é ✓", got2.get("string").toString());
        assertEquals(42, got2.get("int"));
        assertEquals(-42, got2.get("negative-int"));
        assertEquals(1L << 40, got2.get("long"));
        assertEquals(true, got2.get("bool-true"));
        assertEquals(false, got2.get("bool-false"));
        assertEquals(3.25d, got2.get("double"));
        assertEquals(1.5f, got2.get("float"));
        assertEquals((short) 12, got2.get("short"));
        assertEquals((byte) -3, got2.get("byte"));
        assertEquals(new BigDecimal("123.45"), got2.get("decimal"));
        assertEquals(new Date(1_700_000_000_000L), got2.get("timestamp"));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xFF}, (byte[]) got2.get("bytes"));
        @SuppressWarnings("unchecked")
        Map<String, Object> table = (Map<String, Object>) got2.get("table");
        assertEquals("value", table.get("inner").toString());
        assertEquals(7, table.get("n"));
        List<?> array = (List<?>) got2.get("array");
        assertEquals(3, array.size());
        assertEquals("a", ((LongString) array.get(0)).toString());
        assertEquals(1, array.get(1));
        assertEquals(true, array.get(2));
        assertNull(got2.get("void"));
        assertEquals("payload", text(got.getBody()));
    }

    /** Checked on the wire: the content header a consumer gets carries the property bytes the publisher sent. */
    @Test
    void propertiesArriveAsThePublisherEncodedThem() throws Exception {
        String queue = declareQueue("props-bytes");
        byte[] props = KeptProperties.everyPropertyWithBinaryIds();
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            KeptProperties.publishConfirmed(raw, queue, props, bytes("kept"));
            assertArrayEquals(props, KeptProperties.getProperties(raw, queue, bytes("kept"), Duration.ofSeconds(10)));
        }
    }

    @Test
    void emptyPropertiesStayEmpty() throws Exception {
        String queue = declareQueue("q.noprops");
        publishConfirmed("", queue, "bare");
        AMQP.BasicProperties received = Amqp.awaitGet(channel, queue).getProps();
        assertNull(received.getHeaders());
        assertNull(received.getContentType());
        assertNull(received.getDeliveryMode());
        assertNull(received.getMessageId());
    }

    @Test
    void bodiesOfEverySizeArriveIntact() throws Exception {
        String queue = declareQueue("q.sizes");
        Random random = new Random(42);
        // 0, 1, one byte over a 128 KiB frame (several body frames), and 10 MiB
        for (int size : new int[] {0, 1, 128 * 1024 + 1, 10 * 1024 * 1024}) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            channel.basicPublish("", queue, null, body);
            GetResponse got = Amqp.awaitGet(channel, queue);
            assertArrayEquals(body, got.getBody(), "body of " + size + " bytes");
            assertEquals(0, got.getMessageCount());
        }
    }

    @Test
    void largeMessagesInterleavedWithSmallOnesKeepOrder() throws Exception {
        String queue = declareQueue("q.mixed");
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        channel.confirmSelect();
        for (int i = 0; i < 10; i++) {
            channel.basicPublish("", queue, null, i % 2 == 0 ? big : bytes("small-" + i));
        }
        channel.waitForConfirmsOrDie(10_000);
        for (int i = 0; i < 10; i++) {
            GetResponse got = channel.basicGet(queue, true);
            if (i % 2 == 0) {
                assertArrayEquals(big, got.getBody());
            } else {
                assertEquals("small-" + i, text(got.getBody()));
            }
            assertFalse(got.getEnvelope().isRedeliver());
        }
    }
}
