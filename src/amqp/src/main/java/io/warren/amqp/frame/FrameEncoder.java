package io.warren.amqp.frame;

import io.warren.amqp.BasicProperties;
import io.warren.amqp.ContentHeaders;
import io.warren.amqp.EncodedProperties;
import io.warren.amqp.WireWriter;
import io.warren.amqp.method.Method;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Encodes frames. Each call writes its frame headers and method/properties into one array; content bodies are
 * not copied: the result stitches slices of the caller's body ByteString between slices of that array. The one
 * exception is a body of at most {@value #SMALL_BODY} bytes in a single frame, copied into the array because one
 * contiguous ByteString is cheaper to write to a socket than three fragments.
 */
public final class FrameEncoder {
    private FrameEncoder() {}

    private static final int FRAME_END = FrameParser.FRAME_END;
    /** Frame header (7) plus frame-end (1): what a frame adds around its payload. */
    public static final int FRAME_OVERHEAD = 8;

    private static final ByteString PROTOCOL_HEADER =
            ByteString.fromArrayUnsafe(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
    private static final ByteString HEARTBEAT =
            ByteString.fromArrayUnsafe(new byte[] {8, 0, 0, 0, 0, 0, 0, (byte) FRAME_END});

    /** "AMQP" 0 0 9 1: also the answer to a client that sent a header we do not speak. */
    public static ByteString protocolHeader() { return PROTOCOL_HEADER; }

    public static ByteString heartbeat() { return HEARTBEAT; }

    public static ByteString encode(Frame frame) {
        if (frame instanceof MethodFrame f) return method(f.channel(), f.method());
        if (frame instanceof ContentHeaderFrame f) {
            WireWriter w = new WireWriter(64);
            writeHeaderFrame(w, f.channel(), f.classId(), f.bodySize(), null, f.properties().bytes());
            return w.toByteString();
        }
        if (frame instanceof ContentBodyFrame f) {
            WireWriter w = new WireWriter(16);
            w.writeOctet(3);
            w.writeShort(f.channel());
            w.writeInt(f.payload().length());
            int headerEnd = w.position();
            w.writeOctet(FRAME_END);
            return w.slice(0, headerEnd).concat(f.payload()).concat(w.slice(headerEnd, headerEnd + 1));
        }
        if (frame instanceof HeartbeatFrame) return HEARTBEAT;
        if (frame instanceof ProtocolHeader) return PROTOCOL_HEADER;
        throw new IllegalArgumentException("unknown frame " + frame);
    }

    public static ByteString method(int channel, Method m) {
        WireWriter w = new WireWriter(m.hasContent() ? 128 : 64);
        writeMethodFrame(w, channel, m);
        return w.toByteString();
    }

    /** Method frame, content header frame and body frames of at most frameMax - 8 payload bytes each. */
    public static ByteString content(int channel, Method m, BasicProperties props, ByteString body, int frameMax) {
        return content(channel, m, props, null, body, frameMax);
    }

    /** As {@link #content(int, Method, BasicProperties, ByteString, int)} with properties already encoded by
     *  {@link ContentHeaders#encode} (e.g. kept from the publish, so a delivery need not re-encode them). */
    public static ByteString content(int channel, Method m, ByteString encodedProperties, ByteString body,
                                     int frameMax) {
        return content(channel, m, null, encodedProperties, body, frameMax);
    }

    /** As {@link #content(int, Method, ByteString, ByteString, int)}: the properties as they were published. */
    public static ByteString content(int channel, Method m, EncodedProperties props, ByteString body, int frameMax) {
        return content(channel, m, null, props.bytes(), body, frameMax);
    }

    private static ByteString content(int channel, Method m, BasicProperties props, ByteString encodedProps,
                                      ByteString body, int frameMax) {
        int bodyLength = body.length();
        int chunk = frameMax == 0 ? Integer.MAX_VALUE : frameMax - FRAME_OVERHEAD;
        if (chunk <= 0) throw new IllegalArgumentException("frame-max too small: " + frameMax);
        int frames = bodyLength == 0 ? 0 : (int) (((long) bodyLength + chunk - 1) / chunk);
        WireWriter w = new WireWriter(128 + (encodedProps == null ? 0 : encodedProps.length()) + frames * 8);
        writeMethodFrame(w, channel, m);
        writeHeaderFrame(w, channel, m.classId(), bodyLength, props, encodedProps);
        if (frames == 0) return w.toByteString();
        if (frames == 1 && bodyLength <= SMALL_BODY) {
            // A small body costs less copied than as a separate rope fragment on its way to the socket.
            writeBodyHeader(w, channel, bodyLength);
            w.writeBytes(body);
            w.writeOctet(FRAME_END);
            return w.toByteString();
        }
        // All frame headers first (into the one array), then stitch: [prefix+hdr1] body1 [end+hdr2] body2 ... [end]
        int prefixEnd = w.position();
        int[] glueStart = new int[frames + 1];
        for (int i = 0; i < frames; i++) {
            glueStart[i] = w.position();
            if (i > 0) w.writeOctet(FRAME_END);
            int size = Math.min(chunk, bodyLength - i * chunk);
            writeBodyHeader(w, channel, size);
        }
        glueStart[frames] = w.position();
        w.writeOctet(FRAME_END);
        ByteStringBuilder b = new ByteStringBuilder();
        b.append(w.slice(0, prefixEnd));
        for (int i = 0; i < frames; i++) {
            b.append(w.slice(glueStart[i], glueStart[i + 1]));
            int from = i * chunk;
            b.append(body.slice(from, from + Math.min(chunk, bodyLength - from)));
        }
        b.append(w.slice(glueStart[frames], glueStart[frames] + 1));
        return b.result();
    }

    /** Bodies up to this size are copied into the frame array instead of being linked as a slice. */
    static final int SMALL_BODY = 256;

    private static void writeMethodFrame(WireWriter w, int channel, Method m) {
        w.writeOctet(1);
        w.writeShort(channel);
        int sizeAt = w.reserveInt();
        int start = w.position();
        w.writeShort(m.classId());
        w.writeShort(m.methodId());
        m.writeArguments(w);
        w.patchInt(sizeAt, w.position() - start);
        w.writeOctet(FRAME_END);
    }

    private static void writeHeaderFrame(WireWriter w, int channel, int classId, long bodySize,
                                         BasicProperties props, ByteString encodedProps) {
        w.writeOctet(2);
        w.writeShort(channel);
        int sizeAt = w.reserveInt();
        int start = w.position();
        w.writeShort(classId);
        w.writeShort(0); // weight
        w.writeLongLong(bodySize);
        if (encodedProps != null) {
            w.writeBytes(encodedProps);
        } else {
            ContentHeaders.write(w, props);
        }
        w.patchInt(sizeAt, w.position() - start);
        w.writeOctet(FRAME_END);
    }

    private static void writeBodyHeader(WireWriter w, int channel, int size) {
        w.writeOctet(3);
        w.writeShort(channel);
        w.writeInt(size);
    }
}
