package io.warren.amqp.frame;

import io.warren.amqp.AmqpException;
import io.warren.amqp.EncodedProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.WireReader;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.MethodDecoder;
import org.apache.pekko.util.ByteString;

import java.util.ArrayList;
import java.util.List;

/**
 * Incremental AMQP 0-9-1 frame parser for the server side of a connection: first the client's 8-byte protocol
 * header, then frames. Feed it chunks as they arrive; it returns every complete frame and keeps the rest.
 * Body payloads are slices of the fed ByteStrings, never copies. Not thread-safe.
 *
 * <p>Errors are thrown as {@link AmqpException} (connection-level) with the codes RabbitMQ 3.13 uses:
 * FRAME_ERROR (501) for a frame larger than frame-max (checked from the 7-byte header, before any payload is
 * buffered), a frame-end octet other than 0xCE, an unknown frame type, a too-short method or header payload, a
 * heartbeat with a payload, and undecodable method arguments (with the method's class and method id);
 * UNEXPECTED_FRAME (505) for a heartbeat on a channel other than 0; NOT_IMPLEMENTED (540) for an unknown
 * class/method id. A bad protocol header throws {@link ProtocolHeaderMismatch} at the first wrong byte.
 * After an error the parser is dead: every later feed throws the same error.
 */
public final class FrameParser {
    private static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    static final int FRAME_END = 0xCE;
    private static final int HEADER_SIZE = 7;

    private int frameMax;
    private int protocolHeaderSeen;
    private ByteString buffer = ByteString.emptyByteString();
    private AmqpException failure;

    /** @param frameMax the largest payload accepted; 0 means no limit (as on the wire). */
    public FrameParser(int frameMax) {
        setFrameMax(frameMax);
    }

    /** Call after connection.tune-ok with the negotiated frame-max. */
    public void setFrameMax(int frameMax) {
        if (frameMax < 0) throw new IllegalArgumentException("frame-max must not be negative: " + frameMax);
        this.frameMax = frameMax;
    }

    public int frameMax() { return frameMax; }

    /** Bytes received but not yet part of a complete frame. */
    public int buffered() { return buffer.length(); }

    public List<Frame> feed(ByteString chunk) {
        if (failure != null) throw failure;
        try {
            return parse(chunk);
        } catch (AmqpException e) {
            failure = e;
            buffer = ByteString.emptyByteString();
            throw e;
        }
    }

    private List<Frame> parse(ByteString chunk) {
        ByteString buf = buffer.isEmpty() ? chunk : buffer.concat(chunk);
        int len = buf.length();
        int pos = 0;
        List<Frame> out = new ArrayList<>(4);
        if (protocolHeaderSeen < PROTOCOL_HEADER.length) {
            while (protocolHeaderSeen < PROTOCOL_HEADER.length && pos < len) {
                byte b = buf.apply(pos);
                if (b != PROTOCOL_HEADER[protocolHeaderSeen]) {
                    throw new ProtocolHeaderMismatch("byte " + protocolHeaderSeen + " is " + (b & 0xFF)
                            + ", expected " + PROTOCOL_HEADER[protocolHeaderSeen]);
                }
                protocolHeaderSeen++;
                pos++;
            }
            if (protocolHeaderSeen < PROTOCOL_HEADER.length) {
                buffer = ByteString.emptyByteString();
                return out;
            }
            out.add(new ProtocolHeader());
        }
        while (len - pos >= HEADER_SIZE) {
            int type = buf.apply(pos) & 0xFF;
            int channel = ((buf.apply(pos + 1) & 0xFF) << 8) | (buf.apply(pos + 2) & 0xFF);
            long size = ((buf.apply(pos + 3) & 0xFFL) << 24) | ((buf.apply(pos + 4) & 0xFF) << 16)
                    | ((buf.apply(pos + 5) & 0xFF) << 8) | (buf.apply(pos + 6) & 0xFF);
            // RabbitMQ tolerates payloads up to frame-max itself (not frame-max - 8): clients get this wrong.
            if (frameMax != 0 && size > frameMax) {
                throw frameError(type, "frame_too_large: payload " + size + " > frame_max " + frameMax);
            }
            if (size > Integer.MAX_VALUE - HEADER_SIZE - 1) {
                throw frameError(type, "frame_too_large: payload " + size);
            }
            int payloadSize = (int) size;
            if (len - pos < HEADER_SIZE + payloadSize + 1) break;
            int payloadStart = pos + HEADER_SIZE;
            int end = buf.apply(payloadStart + payloadSize) & 0xFF;
            if (end != FRAME_END) {
                throw frameError(type, "invalid_frame_end_marker " + end);
            }
            out.add(decode(type, channel, buf.slice(payloadStart, payloadStart + payloadSize)));
            pos = payloadStart + payloadSize + 1;
        }
        buffer = pos == len ? ByteString.emptyByteString() : buf.drop(pos);
        return out;
    }

    private static Frame decode(int type, int channel, ByteString payload) {
        switch (type) {
            case 1: {
                if (payload.length() < 4) throw frameError(type, "unknown_frame: method payload of "
                        + payload.length() + " bytes");
                WireReader in = WireReader.of(payload);
                int classId = in.readShort();
                int methodId = in.readShort();
                Method m = MethodDecoder.decode(classId, methodId, in);
                return new MethodFrame(channel, m);
            }
            case 2: {
                // class, weight and body size make a header frame (RabbitMQ's analyze_frame); the properties are
                // checked once the channel knows that a header may come here (ContentHeaderFrame.undecodable)
                if (payload.length() < 12) throw frameError(type, "unknown_frame: content header payload of "
                        + payload.length() + " bytes");
                WireReader in = WireReader.of(payload);
                int classId = in.readShort();
                in.readShort(); // weight, always 0
                long bodySize = in.readLongLong();
                EncodedProperties props = EncodedProperties.EMPTY;
                if (classId == 60) {
                    try {
                        if (payload.length() < 14) throw frameError(type, "content header without property flags");
                        // kept as the slice it is (no copy), delivered as it came
                        props = EncodedProperties.parse(in, payload.drop(12));
                        if (in.hasRemaining()) throw frameError(type, "bytes left over after content properties");
                    } catch (AmqpException e) {
                        return ContentHeaderFrame.undecodable(channel, classId, bodySize, e);
                    }
                }
                return new ContentHeaderFrame(channel, classId, bodySize, props);
            }
            case 3:
                return new ContentBodyFrame(channel, payload);
            case 8:
                if (payload.length() != 0) throw frameError(type, "unknown_frame: heartbeat with payload");
                if (channel != 0) {
                    throw AmqpException.connection(ReplyCodes.UNEXPECTED_FRAME, ReplyCodes.text(
                            ReplyCodes.UNEXPECTED_FRAME, "type 8 (heartbeat) on channel " + channel));
                }
                return HeartbeatFrame.INSTANCE;
            default:
                throw frameError(type, "unknown_frame");
        }
    }

    private static AmqpException frameError(int type, String detail) {
        return AmqpException.connection(ReplyCodes.FRAME_ERROR,
                ReplyCodes.text(ReplyCodes.FRAME_ERROR, "type " + type + ": " + detail));
    }
}
