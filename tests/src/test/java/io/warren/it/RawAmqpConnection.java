package io.warren.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An AMQP 0-9-1 client written byte by byte over a plain socket, so tests can send what no real client
 * would: bad headers, bad frame ends, oversized frames, methods on unopened channels. Encodes only the
 * handful of methods the tests need.
 */
public final class RawAmqpConnection implements AutoCloseable {
    public static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    public static final int FRAME_METHOD = 1;
    public static final int FRAME_HEADER = 2;
    public static final int FRAME_BODY = 3;
    public static final int FRAME_HEARTBEAT = 8;
    public static final int FRAME_END = 0xCE;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private Tune tune;

    /** A frame as read from the wire. */
    public record Frame(int type, int channel, byte[] payload) {
        public boolean isMethod(int classId, int methodId) {
            if (type != FRAME_METHOD || payload.length < 4) {
                return false;
            }
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            return buffer.getShort() == classId && buffer.getShort() == methodId;
        }

        public ByteBuffer arguments() {
            return ByteBuffer.wrap(payload, 4, payload.length - 4);
        }

        @Override
        public String toString() {
            if (type == FRAME_METHOD && payload.length >= 4) {
                ByteBuffer buffer = ByteBuffer.wrap(payload);
                return "method frame ch=" + channel + " " + buffer.getShort() + "." + buffer.getShort();
            }
            return "frame type=" + type + " ch=" + channel + " size=" + payload.length;
        }
    }

    /** connection.tune's values as proposed by the server. */
    public record Tune(int channelMax, long frameMax, int heartbeat) {}

    /** A connection.close or channel.close as sent by the server. */
    public record Close(int channel, int replyCode, String replyText, int classId, int methodId) {}

    public RawAmqpConnection(BrokerUnderTest broker) throws IOException {
        this(broker.openSocket());
    }

    /** Over a socket already connected (e.g. to one node of a cluster). */
    public RawAmqpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** Opens a socket and runs the whole handshake: header, start-ok (PLAIN guest), tune-ok, open "/". */
    public static RawAmqpConnection open(BrokerUnderTest broker, int heartbeatSeconds) throws IOException {
        RawAmqpConnection connection = new RawAmqpConnection(broker);
        connection.handshake(heartbeatSeconds);
        return connection;
    }

    public Tune tune() {
        return tune;
    }

    public void handshake(int heartbeatSeconds) throws IOException {
        Tune offered = startUntilTune();
        sendTuneOk(offered.channelMax(), offered.frameMax(), heartbeatSeconds);

        ByteArrayOutputStream openBytes = new ByteArrayOutputStream();
        DataOutputStream open = new DataOutputStream(openBytes);
        shortString(open, "/");
        shortString(open, "");
        open.writeByte(0);
        sendMethod(0, 10, 40, openBytes.toByteArray());
        expectMethod(0, 10, 41); // connection.open-ok
    }

    /** The handshake up to connection.tune (header, start-ok with PLAIN guest): returns the server's offer. */
    public Tune startUntilTune() throws IOException {
        sendRaw(PROTOCOL_HEADER);
        expectMethod(0, 10, 10); // connection.start
        ByteArrayOutputStream args = new ByteArrayOutputStream();
        DataOutputStream startOk = new DataOutputStream(args);
        startOk.writeInt(0); // client-properties: empty table
        shortString(startOk, "PLAIN");
        longString(startOk, "\0guest\0guest".getBytes(StandardCharsets.UTF_8));
        shortString(startOk, "en_US");
        sendMethod(0, 10, 11, args.toByteArray());

        Frame tuneFrame = expectMethod(0, 10, 30);
        ByteBuffer tuneArgs = tuneFrame.arguments();
        tune = new Tune(tuneArgs.getShort() & 0xFFFF, tuneArgs.getInt() & 0xFFFFFFFFL, tuneArgs.getShort() & 0xFFFF);
        return tune;
    }

    /** connection.tune-ok with these values (they need not be the offered ones). */
    public void sendTuneOk(int channelMax, long frameMax, int heartbeatSeconds) throws IOException {
        ByteArrayOutputStream tuneOkBytes = new ByteArrayOutputStream();
        DataOutputStream tuneOk = new DataOutputStream(tuneOkBytes);
        tuneOk.writeShort(channelMax);
        tuneOk.writeInt((int) frameMax);
        tuneOk.writeShort(heartbeatSeconds);
        sendMethod(0, 10, 31, tuneOkBytes.toByteArray());
    }

    public void openChannel(int channel) throws IOException {
        sendChannelOpen(channel);
        expectMethod(channel, 20, 11);
    }

    public void sendChannelOpen(int channel) throws IOException {
        sendMethod(channel, 20, 10, new byte[] {0}); // reserved shortstr ""
    }

    /** queue.declare of a server-named, non-durable, exclusive queue. */
    public void sendQueueDeclare(int channel) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream args = new DataOutputStream(bytes);
        args.writeShort(0);
        shortString(args, "");
        args.writeByte(0b0100); // exclusive
        args.writeInt(0);
        sendMethod(channel, 50, 10, bytes.toByteArray());
    }

    public void sendBasicPublish(int channel, String exchange, String routingKey) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream args = new DataOutputStream(bytes);
        args.writeShort(0);
        shortString(args, exchange);
        shortString(args, routingKey);
        args.writeByte(0);
        sendMethod(channel, 60, 40, bytes.toByteArray());
    }

    /** A content header frame for class basic with no properties. */
    public void sendContentHeader(int channel, long bodySize) throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(14);
        payload.putShort((short) 60).putShort((short) 0).putLong(bodySize).putShort((short) 0);
        sendFrame(FRAME_HEADER, channel, payload.array());
    }

    /** A content header frame for class basic whose property part (flag words and values) is {@code properties}. */
    public void sendContentHeader(int channel, long bodySize, byte[] properties) throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(12 + properties.length);
        payload.putShort((short) 60).putShort((short) 0).putLong(bodySize).put(properties);
        sendFrame(FRAME_HEADER, channel, payload.array());
    }

    public void sendBody(int channel, byte[] body) throws IOException {
        sendFrame(FRAME_BODY, channel, body);
    }

    public void sendMethod(int channel, int classId, int methodId, byte[] arguments) throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(4 + arguments.length);
        payload.putShort((short) classId).putShort((short) methodId).put(arguments);
        sendFrame(FRAME_METHOD, channel, payload.array());
    }

    public void sendFrame(int type, int channel, byte[] payload) throws IOException {
        sendFrame(type, channel, payload, FRAME_END);
    }

    /** A frame with an arbitrary frame-end octet (the spec says 0xCE). */
    public void sendFrame(int type, int channel, byte[] payload, int frameEnd) throws IOException {
        out.writeByte(type);
        out.writeShort(channel);
        out.writeInt(payload.length);
        out.write(payload);
        out.writeByte(frameEnd);
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public Frame readFrame() throws IOException {
        int type = in.readUnsignedByte();
        int channel = in.readUnsignedShort();
        int size = in.readInt();
        byte[] payload = new byte[size];
        in.readFully(payload);
        int end = in.readUnsignedByte();
        assertEquals(FRAME_END, end, "server sent a frame without the 0xCE frame end");
        return new Frame(type, channel, payload);
    }

    /** Reads frames, skipping heartbeats, until a method frame; fails unless it is class.method on channel. */
    public Frame expectMethod(int channel, int classId, int methodId) throws IOException {
        Frame frame = nextNonHeartbeat();
        if (!frame.isMethod(classId, methodId) || frame.channel() != channel) {
            fail("expected method " + classId + "." + methodId + " on channel " + channel + " but got " + frame
                    + describeClose(frame));
        }
        return frame;
    }

    /**
     * Expects connection.close from the server, answers close-ok as the spec asks, and waits for the
     * server to close the socket.
     */
    public Close expectConnectionClose() throws IOException {
        Frame frame = expectMethod(0, 10, 50);
        Close close = parseClose(frame);
        sendMethod(0, 10, 51, new byte[0]);
        awaitServerClosed(Duration.ofSeconds(10));
        return close;
    }

    /** Expects channel.close on {@code channel} and answers channel.close-ok. */
    public Close expectChannelClose(int channel) throws IOException {
        Frame frame = expectMethod(channel, 20, 40);
        Close close = parseClose(frame);
        sendMethod(channel, 20, 41, new byte[0]);
        return close;
    }

    /** Waits until the server closes the socket (EOF or reset); fails after {@code timeout}. Returns the wait. */
    public Duration awaitServerClosed(Duration timeout) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) timeout.toMillis());
        InputStream raw = socket.getInputStream();
        byte[] sink = new byte[4096];
        try {
            while (raw.read(sink) >= 0) {
                if (System.nanoTime() - start > timeout.toNanos()) {
                    fail("server kept sending but did not close the socket within " + timeout.toMillis() + " ms");
                }
            }
        } catch (SocketTimeoutException e) {
            fail("server did not close the socket within " + timeout.toMillis() + " ms");
        } catch (SocketException reset) {
            // connection reset by the server counts as closed
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Reads exactly {@code count} bytes, or fewer if the server closes first. */
    public byte[] readUpTo(int count, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        try {
            while (result.size() < count) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                result.write(b);
            }
        } catch (EOFException | SocketException closed) {
            // fewer bytes: the caller checks
        }
        return result.toByteArray();
    }

    public void setReadTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private Frame nextNonHeartbeat() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.type() != FRAME_HEARTBEAT) {
                return frame;
            }
        }
    }

    private static Close parseClose(Frame frame) {
        ByteBuffer args = frame.arguments();
        int code = args.getShort() & 0xFFFF;
        int textLength = args.get() & 0xFF;
        byte[] text = new byte[textLength];
        args.get(text);
        int classId = args.getShort() & 0xFFFF;
        int methodId = args.getShort() & 0xFFFF;
        return new Close(frame.channel(), code, new String(text, StandardCharsets.UTF_8), classId, methodId);
    }

    private static String describeClose(Frame frame) {
        if (frame.isMethod(10, 50) || frame.isMethod(20, 40)) {
            return " " + parseClose(frame);
        }
        return "";
    }

    private static void shortString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeByte(bytes.length);
        out.write(bytes);
    }

    private static void longString(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }
}
