package io.warren.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.frame.FrameParser;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.frame.ProtocolHeader;
import io.warren.amqp.method.*;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Plays the broker for RabbitMQ's own Java client over a real socket, with our encoder, and checks that our
 * parser decodes every byte the client writes to the expected records and that re-encoding those records
 * reproduces the client's bytes exactly. What we send is checked by the client itself (it would fail on bad
 * frames) and by what its Consumer and basicGet see.
 */
class JavaClientCaptureTest {
    private static final int FRAME_MAX = 4096;
    private static final Date WHOLE_SECOND = new Date(1_700_000_000_000L);

    private static Map<String, Object> clientHeaders() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("string", "välue");
        h.put("int", 42);
        h.put("long", -7L);
        h.put("short", (short) 300);
        h.put("byte", (byte) -1);
        h.put("bool", true);
        h.put("double", 2.5);
        h.put("float", 1.25f);
        h.put("decimal", new BigDecimal("12.345"));
        h.put("date", WHOLE_SECOND);
        h.put("bytes", new byte[] {1, 2, 3});
        h.put("list", List.of(1, "two", false));
        h.put("table", Map.of("nested", 1));
        h.put("void", null);
        return h;
    }

    /** What our decoder must make of clientHeaders(): the Java types of each wire tag. */
    private static Map<String, Object> decodedHeaders() {
        Map<String, Object> h = new LinkedHashMap<>(clientHeaders());
        h.put("date", Instant.ofEpochSecond(1_700_000_000L));
        return h;
    }

    private static AMQP.BasicProperties clientProps() {
        return new AMQP.BasicProperties.Builder()
                .contentType("text/plain").contentEncoding("utf-8").headers(clientHeaders())
                .deliveryMode(2).priority(5).correlationId("corr").replyTo("amq.rabbitmq.reply-to")
                .expiration("1000").messageId("mid").timestamp(WHOLE_SECOND).type("t").userId("guest")
                .appId("app").clusterId("cl").build();
    }

    private static BasicProperties ourProps() {
        return new BasicProperties("text/plain", "utf-8", decodedHeaders(), 2, 5, "corr", "amq.rabbitmq.reply-to",
                "1000", "mid", 1_700_000_000L, "t", "guest", "app", "cl");
    }

    record ClientSaw(Envelope envelope, AMQP.BasicProperties props, byte[] body, GetResponse get) {}

    private static ClientSaw runClient(int port) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setRequestedHeartbeat(0);
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        f.setConnectionTimeout(10_000);
        f.setHandshakeTimeout(10_000);
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("ex.ü", "topic", true, false, false, Map.of("alternate-exchange", "ae"));
            Map<String, Object> qargs = new LinkedHashMap<>();
            qargs.put("x-message-ttl", 60000);
            qargs.put("x-max-length", 10L);
            qargs.put("x-queue-type", "classic");
            ch.queueDeclare("q1", true, false, false, qargs);
            ch.queueBind("q1", "ex.ü", "a.#", Map.of("x-match", "all"));
            ch.basicQos(10);
            ch.confirmSelect();
            ch.basicPublish("ex.ü", "rk", true, clientProps(), "hello".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", "q1", false, null, new byte[10_000]);
            ch.basicAck(5, true);
            ch.basicNack(6, false, true);
            ch.basicReject(7, false);
            CompletableFuture<ClientSaw> delivered = new CompletableFuture<>();
            ch.basicConsume("q1", false, "ctag-1", new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    delivered.complete(new ClientSaw(env, props, body, null));
                }
            });
            ClientSaw d = delivered.get(10, TimeUnit.SECONDS);
            ch.basicCancel("ctag-1");
            GetResponse get = ch.basicGet("q1", true);
            ch.close();
            return new ClientSaw(d.envelope(), d.props(), d.body(), get);
        }
    }

    @Test
    void javaClientBytesDecodeAndReEncodeExactly() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<Frame> frames = new ArrayList<>();
        byte[] deliveryBody = new byte[5000];
        Arrays.fill(deliveryBody, (byte) 'd');
        CompletableFuture<ClientSaw> client;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            int port = server.getLocalPort();
            client = CompletableFuture.supplyAsync(() -> {
                try {
                    return runClient(port);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                FrameParser parser = new FrameParser(FRAME_MAX);
                byte[] buf = new byte[8192];
                boolean closed = false;
                while (!closed) {
                    int n = in.read(buf);
                    if (n < 0) break;
                    captured.write(buf, 0, n);
                    for (Frame frame : parser.feed(ByteString.fromArray(buf, 0, n))) {
                        frames.add(frame);
                        ByteString reply = respond(frame, parser, deliveryBody);
                        if (reply != null) {
                            out.write(reply.toArray());
                            out.flush();
                        }
                        if (frame instanceof MethodFrame mf && mf.method() instanceof ConnectionClose) closed = true;
                    }
                }
            }
        }
        ClientSaw saw = client.get(10, TimeUnit.SECONDS);

        // 1. Re-encoding what we decoded gives the client's bytes back, all of them.
        byte[] all = captured.toByteArray();
        assertEquals(FrameEncoder.protocolHeader(), ByteString.fromArray(all, 0, 8));
        ByteString reencoded = ByteString.emptyByteString();
        for (Frame f : frames.subList(1, frames.size())) reencoded = reencoded.concat(FrameEncoder.encode(f));
        assertEquals(ByteString.fromArray(all, 8, all.length - 8), reencoded);

        // 2. The records are what the client meant.
        List<Method> methods = new ArrayList<>();
        for (Frame f : frames) if (f instanceof MethodFrame mf) methods.add(mf.method());
        assertInstanceOf(ProtocolHeader.class, frames.get(0));
        ConnectionStartOk startOk = (ConnectionStartOk) methods.get(0);
        assertEquals("PLAIN", startOk.mechanism());
        assertArrayEquals("\0guest\0guest".getBytes(StandardCharsets.UTF_8), startOk.response());
        assertEquals("en_US", startOk.locale());
        assertEquals("RabbitMQ", startOk.clientProperties().get("product"));
        @SuppressWarnings("unchecked")
        Map<String, Object> caps = (Map<String, Object>) startOk.clientProperties().get("capabilities");
        assertEquals(true, caps.get("publisher_confirms"));
        Map<String, Object> qargs = new LinkedHashMap<>();
        qargs.put("x-message-ttl", 60000);
        qargs.put("x-max-length", 10L);
        qargs.put("x-queue-type", "classic");
        List<Method> expected = List.of(
                new ConnectionTuneOk(2047, FRAME_MAX, 0),
                new ConnectionOpen("/"),
                new ChannelOpen(),
                new ExchangeDeclare("ex.ü", "topic", false, true, false, false, false, Map.of("alternate-exchange", "ae")),
                new QueueDeclare("q1", false, true, false, false, false, qargs),
                new QueueBind("q1", "ex.ü", "a.#", false, Map.of("x-match", "all")),
                new BasicQos(0, 10, false),
                new ConfirmSelect(false),
                new BasicPublish("ex.ü", "rk", true, false),
                new BasicPublish("", "q1", false, false),
                new BasicAck(5, true),
                new BasicNack(6, false, true),
                new BasicReject(7, false),
                new BasicConsume("q1", "ctag-1", false, false, false, false, Map.of()),
                new BasicCancel("ctag-1", false),
                new BasicGet("q1", true),
                new ChannelClose(200, "OK", 0, 0),
                new ConnectionClose(200, "OK", 0, 0));
        assertEquals(expected, methods.subList(1, methods.size()));

        List<ContentHeaderFrame> headers = new ArrayList<>();
        List<ContentBodyFrame> bodies = new ArrayList<>();
        for (Frame f : frames) {
            if (f instanceof ContentHeaderFrame h) headers.add(h);
            if (f instanceof ContentBodyFrame b) bodies.add(b);
        }
        assertEquals(2, headers.size());
        assertEquals(new ContentHeaderFrame(1, 60, 5, headers.get(0).properties()), headers.get(0));
        assertTrue(Samples.deepEquals(ourProps(), headers.get(0).properties().decoded()),
                () -> ourProps() + "\n" + headers.get(0).properties().decoded());
        assertEquals(new ContentHeaderFrame(1, 60, 10_000, BasicProperties.EMPTY), headers.get(1));
        // "hello", then 10 000 bytes in frames of at most frame-max - 8
        assertEquals(List.of(5, 4088, 4088, 1824), bodies.stream().map(b -> b.payload().length()).toList());

        // 3. What we sent, as the Java client understood it.
        assertEquals(1, saw.envelope().getDeliveryTag());
        assertTrue(saw.envelope().isRedeliver());
        assertEquals("ex.ü", saw.envelope().getExchange());
        assertEquals("rk", saw.envelope().getRoutingKey());
        assertArrayEquals(deliveryBody, saw.body());
        AMQP.BasicProperties p = saw.props();
        assertEquals("text/plain", p.getContentType());
        assertEquals("utf-8", p.getContentEncoding());
        assertEquals(2, p.getDeliveryMode());
        assertEquals(5, p.getPriority());
        assertEquals("corr", p.getCorrelationId());
        assertEquals("amq.rabbitmq.reply-to", p.getReplyTo());
        assertEquals("1000", p.getExpiration());
        assertEquals("mid", p.getMessageId());
        assertEquals(WHOLE_SECOND, p.getTimestamp());
        assertEquals("t", p.getType());
        assertEquals("guest", p.getUserId());
        assertEquals("app", p.getAppId());
        assertEquals("cl", p.getClusterId());
        Map<String, Object> h = p.getHeaders();
        assertEquals("välue", h.get("string").toString());
        assertEquals(42, h.get("int"));
        assertEquals(-7L, h.get("long"));
        assertEquals((short) 300, h.get("short"));
        assertEquals((byte) -1, h.get("byte"));
        assertEquals(true, h.get("bool"));
        assertEquals(2.5, h.get("double"));
        assertEquals(1.25f, h.get("float"));
        assertEquals(new BigDecimal("12.345"), h.get("decimal"));
        assertEquals(WHOLE_SECOND, h.get("date"));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) h.get("bytes"));
        assertEquals(3, ((List<?>) h.get("list")).size());
        assertEquals(1, ((Map<?, ?>) h.get("table")).get("nested"));
        assertTrue(h.containsKey("void"));
        assertNull(h.get("void"));

        GetResponse get = saw.get();
        assertNotNull(get);
        assertEquals(2, get.getEnvelope().getDeliveryTag());
        assertEquals(3, get.getMessageCount());
        assertArrayEquals("got".getBytes(StandardCharsets.UTF_8), get.getBody());
        assertEquals("text/plain", get.getProps().getContentType());
    }

    /** The broker's side of the conversation, just enough for the client to go on. */
    private static ByteString respond(Frame frame, FrameParser parser, byte[] deliveryBody) {
        if (frame instanceof ProtocolHeader) {
            Map<String, Object> caps = new LinkedHashMap<>();
            caps.put("publisher_confirms", true);
            caps.put("basic.nack", true);
            caps.put("consumer_cancel_notify", true);
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("product", "warren-test");
            props.put("capabilities", caps);
            return FrameEncoder.method(0, new ConnectionStart(0, 9, props, "PLAIN AMQPLAIN", "en_US"));
        }
        if (!(frame instanceof MethodFrame mf)) return null;
        int ch = mf.channel();
        Method m = mf.method();
        if (m instanceof ConnectionStartOk) return FrameEncoder.method(0, new ConnectionTune(2047, FRAME_MAX, 0));
        if (m instanceof ConnectionTuneOk t) {
            parser.setFrameMax((int) t.frameMax());
            return null;
        }
        if (m instanceof ConnectionOpen) return FrameEncoder.method(0, new ConnectionOpenOk());
        if (m instanceof ChannelOpen) return FrameEncoder.method(ch, new ChannelOpenOk());
        if (m instanceof ExchangeDeclare) return FrameEncoder.method(ch, new ExchangeDeclareOk());
        if (m instanceof QueueDeclare q) return FrameEncoder.method(ch, new QueueDeclareOk(q.queue(), 0, 0));
        if (m instanceof QueueBind) return FrameEncoder.method(ch, new QueueBindOk());
        if (m instanceof BasicQos) return FrameEncoder.method(ch, new BasicQosOk());
        if (m instanceof ConfirmSelect) return FrameEncoder.method(ch, new ConfirmSelectOk());
        if (m instanceof BasicConsume c) {
            return FrameEncoder.method(ch, new BasicConsumeOk(c.consumerTag()))
                    .concat(FrameEncoder.content(ch, new BasicDeliver(c.consumerTag(), 1, true, "ex.ü", "rk"),
                            ourProps(), ByteString.fromArray(deliveryBody), FRAME_MAX));
        }
        if (m instanceof BasicCancel c) return FrameEncoder.method(ch, new BasicCancelOk(c.consumerTag()));
        if (m instanceof BasicGet) {
            BasicProperties p = new BasicProperties("text/plain", null, null, null, null, null, null, null, null,
                    null, null, null, null, null);
            return FrameEncoder.content(ch, new BasicGetOk(2, false, "", "q1", 3), ContentHeaders.encode(p),
                    ByteString.fromString("got"), FRAME_MAX);
        }
        if (m instanceof ChannelClose) return FrameEncoder.method(ch, new ChannelCloseOk());
        if (m instanceof ConnectionClose) return FrameEncoder.method(0, new ConnectionCloseOk());
        return null;
    }
}
