package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Content header properties a broker must hand back byte for byte: every one of the 14 basic properties, a header
 * table of several types, and binary (not UTF-8) correlation and message ids, as some clients send them. A broker
 * that decodes the properties to text and encodes them again changes those bytes (Warren did: U+FFFD for each bad
 * sequence); RabbitMQ keeps them. Publishes and fetches them over {@link RawAmqpConnection}, so the test sees the
 * bytes, not a client's decoding of them.
 */
public final class KeptProperties {
    private KeptProperties() {}

    /** The property part: the flag word, then the values in order. user-id is "guest", the raw connection's user. */
    public static byte[] everyPropertyWithBinaryIds() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeShort(0xFFFC);     // all 14 properties
            shortStr(out, "text/plain");
            shortStr(out, "identity");
            ByteArrayOutputStream table = new ByteArrayOutputStream();
            DataOutputStream t = new DataOutputStream(table);
            shortStr(t, "s");
            t.writeByte('S');
            t.writeInt(3);
            t.write("ä!".getBytes(StandardCharsets.UTF_8));
            shortStr(t, "i");
            t.writeByte('I');
            t.writeInt(-7);
            shortStr(t, "l");
            t.writeByte('l');
            t.writeLong(1L << 40);
            shortStr(t, "b");
            t.writeByte('t');
            t.writeByte(1);
            out.writeInt(table.size());
            out.write(table.toByteArray());
            out.writeByte(2);           // delivery-mode: persistent
            out.writeByte(3);           // priority
            binaryShortStr(out, new byte[] {(byte) 0xFF, 0, (byte) 0xC3, 'c'}); // correlation-id: not UTF-8
            shortStr(out, "reply.here");
            shortStr(out, "600000");
            binaryShortStr(out, new byte[] {(byte) 0x80, (byte) 0xFE, 'm'});    // message-id: not UTF-8
            out.writeLong(1_700_000_000L);
            shortStr(out, "kind");
            shortStr(out, "guest");
            shortStr(out, "app");
            shortStr(out, "cluster");
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void shortStr(DataOutputStream out, String s) throws IOException {
        binaryShortStr(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void binaryShortStr(DataOutputStream out, byte[] b) throws IOException {
        out.writeByte(b.length);
        out.write(b);
    }

    /** Opens channel 1 in confirm mode, publishes to the default exchange and waits for the broker's ack. */
    public static void publishConfirmed(RawAmqpConnection raw, String queue, byte[] properties, byte[] body)
            throws IOException {
        raw.openChannel(1);
        raw.sendMethod(1, 85, 10, new byte[] {0}); // confirm.select
        raw.expectMethod(1, 85, 11);
        raw.sendBasicPublish(1, "", queue);
        raw.sendContentHeader(1, body.length, properties);
        raw.sendBody(1, body);
        raw.expectMethod(1, 60, 80);               // basic.ack
    }

    /**
     * basic.get (no-ack) on a new channel 2 until a message comes or {@code timeout} passes; returns the property
     * part of its content header frame, and checks the body.
     */
    public static byte[] getProperties(RawAmqpConnection raw, String queue, byte[] expectedBody, Duration timeout)
            throws IOException {
        raw.openChannel(2);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ByteArrayOutputStream args = new ByteArrayOutputStream();
            DataOutputStream a = new DataOutputStream(args);
            a.writeShort(0);
            shortStr(a, queue);
            a.writeByte(1); // no-ack
            raw.sendMethod(2, 60, 70, args.toByteArray());
            RawAmqpConnection.Frame reply = raw.readFrame();
            while (reply.type() == RawAmqpConnection.FRAME_HEARTBEAT) reply = raw.readFrame();
            if (reply.isMethod(60, 72)) { // get-empty
                if (System.nanoTime() > deadline) fail("no message in " + queue + " within " + timeout);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                continue;
            }
            if (!reply.isMethod(60, 71)) fail("expected basic.get-ok, got " + reply);
            RawAmqpConnection.Frame header = raw.readFrame();
            assertEquals(RawAmqpConnection.FRAME_HEADER, header.type(), "content header after get-ok");
            long bodySize = ByteBuffer.wrap(header.payload(), 4, 8).getLong();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (body.size() < bodySize) body.write(raw.readFrame().payload());
            assertArrayEquals(expectedBody, body.toByteArray());
            return Arrays.copyOfRange(header.payload(), 12, header.payload().length);
        }
    }
}
