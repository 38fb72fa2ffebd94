package io.warren.it.security;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RawAmqpConnection;
import io.warren.it.SharedBroker;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A bounded fuzz run against the live broker: a fixed number of sessions, each either random bytes after a valid
 * protocol header or a mutation (bit flips, inserted/deleted/duplicated bytes, truncation, spliced frames, extreme
 * sizes) of a valid client session from a small corpus. Whatever they send, the broker must stay up and a
 * bystander connection opened before must keep working. The seed is in every failure message
 * ({@code -Dwarren.it.fuzz.seed=...} replays a run; {@code -Dwarren.it.fuzz.sessions=...} changes its length).
 */
@ExtendWith(SharedBroker.class)
class ProtocolFuzzTest {
    private static final int SESSIONS = Integer.getInteger("warren.it.fuzz.sessions", 400);
    private static final int CHECK_BYSTANDER_EVERY = 50;

    private final BrokerUnderTest broker;

    ProtocolFuzzTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @Test
    void mutatedAndRandomSessionsNeverHurtTheNodeOrABystander() throws Exception {
        long seed = Long.getLong("warren.it.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        List<byte[]> corpus = corpus();
        try (Connection bystander = broker.newConnection()) {
            Channel channel = bystander.createChannel();
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            for (int i = 0; i < SESSIONS; i++) {
                byte[] session = random.nextInt(5) == 0 ? randomAfterHeader(random)
                        : mutate(corpus.get(random.nextInt(corpus.size())), random);
                play(session);
                if ((i + 1) % CHECK_BYSTANDER_EVERY == 0) {
                    channel.basicPublish("", queue, null, ("after " + (i + 1)).getBytes(StandardCharsets.UTF_8));
                    Amqp.awaitGet(channel, queue);
                }
            }
            Amqp.assertUsable(bystander);
        } catch (Exception | AssertionError e) {
            throw new AssertionError("fuzz run with -Dwarren.it.fuzz.seed=" + seed + " broke the broker or the bystander", e);
        }
        try (Connection after = broker.newConnection()) {
            Amqp.assertUsable(after);
        }
        assertFalse(broker.output().contains("OutOfMemoryError"), "the broker ran out of memory (seed " + seed + ")");
    }

    /** Sends the bytes, reads whatever comes back for a moment, then hangs up. */
    private void play(byte[] session) throws IOException {
        try (Socket socket = broker.openSocket()) {
            socket.setSoTimeout(100);
            try {
                socket.getOutputStream().write(session);
                socket.getOutputStream().flush();
                InputStream in = socket.getInputStream();
                byte[] sink = new byte[8192];
                long deadline = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                    // drain until the broker closes or we stop waiting
                }
            } catch (IOException closedOrSilent) {
                // the broker hung up (reset, broken pipe) or stayed silent: both fine
            }
        }
    }

    private static byte[] randomAfterHeader(Random random) {
        byte[] bytes = new byte[8 + random.nextInt(2048)];
        random.nextBytes(bytes);
        System.arraycopy(RawAmqpConnection.PROTOCOL_HEADER, 0, bytes, 0, 8);
        return bytes;
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            int at = 8 + random.nextInt(Math.max(1, b.length - 8));
            switch (random.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8)); // bit flip
                case 1 -> b[at] = (byte) random.nextInt(256); // byte replaced
                case 2 -> b = splice(b, at, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // huge size
                case 3 -> b = java.util.Arrays.copyOf(b, at); // truncated
                case 4 -> { // a stretch duplicated (frames repeated, e.g. a second start-ok or content header)
                    int len = Math.min(b.length - at, 1 + random.nextInt(64));
                    b = splice(b, at, java.util.Arrays.copyOfRange(b, at, at + len));
                }
                case 5 -> { // a stretch deleted
                    int len = Math.min(b.length - at, 1 + random.nextInt(16));
                    byte[] shorter = new byte[b.length - len];
                    System.arraycopy(b, 0, shorter, 0, at);
                    System.arraycopy(b, at + len, shorter, at, b.length - at - len);
                    b = shorter;
                }
                default -> { // random bytes inserted
                    byte[] noise = new byte[1 + random.nextInt(32)];
                    random.nextBytes(noise);
                    b = splice(b, at, noise);
                }
            }
            if (b.length <= 8) break;
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    // ------------------------------------------------------------------ the corpus: valid client sessions

    private static List<byte[]> corpus() throws IOException {
        List<byte[]> sessions = new ArrayList<>();
        sessions.add(session(s -> { }));
        sessions.add(session(s -> {
            s.method(1, 50, 10, w -> { w.writeShort(0); w.shortStr(""); w.writeByte(0b01010); w.writeInt(0); }); // queue.declare exclusive auto-delete
            s.method(1, 60, 40, w -> { w.writeShort(0); w.shortStr(""); w.shortStr("fuzz"); w.writeByte(0); }); // basic.publish
            s.header(1, 5, new byte[] {(byte) 0x90, 0, 10, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n', 2}); // content-type, delivery-mode
            s.body(1, "hello".getBytes(StandardCharsets.UTF_8));
            s.method(1, 60, 70, w -> { w.writeShort(0); w.shortStr("fuzz"); w.writeByte(1); }); // basic.get no-ack
        }));
        sessions.add(session(s -> {
            s.method(1, 85, 10, w -> w.writeByte(0)); // confirm.select
            s.method(1, 40, 10, w -> { w.writeShort(0); w.shortStr("fuzz-x"); w.shortStr("topic"); w.writeByte(0b01000); w.writeInt(0); });
            s.method(1, 60, 10, w -> { w.writeInt(0); w.writeShort(10); w.writeByte(0); }); // basic.qos
            s.method(1, 60, 20, w -> { w.writeShort(0); w.shortStr(""); w.shortStr(""); w.writeByte(0); table(w); }); // basic.consume
            s.method(1, 90, 10, w -> { }); // tx.select (after confirm.select: a channel error)
        }));
        return sessions;
    }

    private interface Body {
        void write(Writer w) throws IOException;
    }

    private interface Script {
        void play(Session s) throws IOException;
    }

    private static final class Writer extends DataOutputStream {
        Writer(ByteArrayOutputStream out) {
            super(out);
        }

        void shortStr(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeByte(b.length);
            write(b);
        }
    }

    private static void table(Writer w) throws IOException {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        Writer t = new Writer(entries);
        t.shortStr("x-priority");
        t.writeByte('I');
        t.writeInt(5);
        t.shortStr("nested");
        t.writeByte('F');
        t.writeInt(0);
        w.writeInt(entries.size());
        w.write(entries.toByteArray());
    }

    private static final class Session {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void frame(int type, int channel, byte[] payload) throws IOException {
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(type);
            out.writeShort(channel);
            out.writeInt(payload.length);
            out.write(payload);
            out.writeByte(RawAmqpConnection.FRAME_END);
        }

        void method(int channel, int classId, int methodId, Body body) throws IOException {
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            Writer w = new Writer(payload);
            w.writeShort(classId);
            w.writeShort(methodId);
            body.write(w);
            frame(RawAmqpConnection.FRAME_METHOD, channel, payload.toByteArray());
        }

        void header(int channel, long bodySize, byte[] properties) throws IOException {
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            DataOutputStream w = new DataOutputStream(payload);
            w.writeShort(60);
            w.writeShort(0);
            w.writeLong(bodySize);
            w.write(properties);
            frame(RawAmqpConnection.FRAME_HEADER, channel, payload.toByteArray());
        }

        void body(int channel, byte[] body) throws IOException {
            frame(RawAmqpConnection.FRAME_BODY, channel, body);
        }
    }

    /** Header, start-ok (PLAIN guest), tune-ok, open "/", channel.open 1, the script, channel and connection close. */
    private static byte[] session(Script script) throws IOException {
        Session s = new Session();
        s.bytes.write(RawAmqpConnection.PROTOCOL_HEADER);
        s.method(0, 10, 11, w -> {
            table(w);
            w.shortStr("PLAIN");
            byte[] response = "\0guest\0guest".getBytes(StandardCharsets.UTF_8);
            w.writeInt(response.length);
            w.write(response);
            w.shortStr("en_US");
        });
        s.method(0, 10, 31, w -> { w.writeShort(2047); w.writeInt(131072); w.writeShort(0); });
        s.method(0, 10, 40, w -> { w.shortStr("/"); w.shortStr(""); w.writeByte(0); });
        s.method(1, 20, 10, w -> w.shortStr(""));
        script.play(s);
        s.method(1, 20, 40, w -> { w.writeShort(200); w.shortStr("bye"); w.writeShort(0); w.writeShort(0); });
        s.method(0, 10, 50, w -> { w.writeShort(200); w.shortStr("bye"); w.writeShort(0); w.writeShort(0); });
        return s.bytes.toByteArray();
    }
}
