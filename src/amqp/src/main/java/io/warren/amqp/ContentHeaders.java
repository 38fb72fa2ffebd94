package io.warren.amqp;

import org.apache.pekko.util.ByteString;

import java.time.Instant;
import java.util.Map;

/**
 * The property part of a basic-class content header: a 16-bit flag word (bit 15 = content-type ... bit 2 =
 * cluster-id, bit 0 = another flag word follows) and then the present values in order. The class id, weight and
 * body size that precede it in a header frame are the frame's business ({@code FrameEncoder}, {@code FrameParser}).
 */
public final class ContentHeaders {
    private ContentHeaders() {}

    static final int CONTENT_TYPE = 1 << 15;
    static final int CONTENT_ENCODING = 1 << 14;
    static final int HEADERS = 1 << 13;
    static final int DELIVERY_MODE = 1 << 12;
    static final int PRIORITY = 1 << 11;
    static final int CORRELATION_ID = 1 << 10;
    static final int REPLY_TO = 1 << 9;
    static final int EXPIRATION = 1 << 8;
    static final int MESSAGE_ID = 1 << 7;
    static final int TIMESTAMP = 1 << 6;
    static final int TYPE = 1 << 5;
    static final int USER_ID = 1 << 4;
    static final int APP_ID = 1 << 3;
    static final int CLUSTER_ID = 1 << 2;
    static final int CONTINUATION = 1;

    /** Encoded {@link BasicProperties#EMPTY}: a zero flag word. */
    public static final ByteString EMPTY = ByteString.fromArrayUnsafe(new byte[2]);

    public static ByteString encode(BasicProperties p) {
        if (p == null || p.equals(BasicProperties.EMPTY)) return EMPTY;
        WireWriter w = new WireWriter(64);
        write(w, p);
        return w.toByteString();
    }

    public static BasicProperties decode(ByteString bytes) {
        WireReader r = WireReader.of(bytes);
        BasicProperties p = read(r);
        if (r.hasRemaining()) throw WireReader.malformed("trailing bytes after content header properties");
        return p;
    }

    public static void write(WireWriter w, BasicProperties p) {
        if (p == null) {
            w.writeShort(0);
            return;
        }
        int flags = 0;
        if (p.contentType() != null) flags |= CONTENT_TYPE;
        if (p.contentEncoding() != null) flags |= CONTENT_ENCODING;
        if (p.headers() != null) flags |= HEADERS;
        if (p.deliveryMode() != null) flags |= DELIVERY_MODE;
        if (p.priority() != null) flags |= PRIORITY;
        if (p.correlationId() != null) flags |= CORRELATION_ID;
        if (p.replyTo() != null) flags |= REPLY_TO;
        if (p.expiration() != null) flags |= EXPIRATION;
        if (p.messageId() != null) flags |= MESSAGE_ID;
        if (p.timestamp() != null) flags |= TIMESTAMP;
        if (p.type() != null) flags |= TYPE;
        if (p.userId() != null) flags |= USER_ID;
        if (p.appId() != null) flags |= APP_ID;
        if (p.clusterId() != null) flags |= CLUSTER_ID;
        w.writeShort(flags);
        if (p.contentType() != null) w.writeShortStr(p.contentType());
        if (p.contentEncoding() != null) w.writeShortStr(p.contentEncoding());
        if (p.headers() != null) w.writeTable(p.headers());
        if (p.deliveryMode() != null) w.writeOctet(p.deliveryMode());
        if (p.priority() != null) w.writeOctet(p.priority());
        if (p.correlationId() != null) w.writeShortStr(p.correlationId());
        if (p.replyTo() != null) w.writeShortStr(p.replyTo());
        if (p.expiration() != null) w.writeShortStr(p.expiration());
        if (p.messageId() != null) w.writeShortStr(p.messageId());
        if (p.timestamp() != null) w.writeLongLong(p.timestamp());
        if (p.type() != null) w.writeShortStr(p.type());
        if (p.userId() != null) w.writeShortStr(p.userId());
        if (p.appId() != null) w.writeShortStr(p.appId());
        if (p.clusterId() != null) w.writeShortStr(p.clusterId());
    }

    public static BasicProperties read(WireReader r) {
        int flags = r.readShort();
        int more = flags;
        while ((more & CONTINUATION) != 0) {
            // Basic has 14 properties, all in the first word: later words can only name properties we cannot
            // decode, so they must be empty.
            more = r.readShort();
            if ((more & ~CONTINUATION) != 0) throw WireReader.malformed("unknown basic property flags " + more);
        }
        if (flags == 0) return BasicProperties.EMPTY;
        String contentType = (flags & CONTENT_TYPE) != 0 ? r.readShortStr() : null;
        String contentEncoding = (flags & CONTENT_ENCODING) != 0 ? r.readShortStr() : null;
        Map<String, Object> headers = (flags & HEADERS) != 0 ? r.readTable() : null;
        Integer deliveryMode = (flags & DELIVERY_MODE) != 0 ? r.readOctet() : null;
        Integer priority = (flags & PRIORITY) != 0 ? r.readOctet() : null;
        String correlationId = (flags & CORRELATION_ID) != 0 ? r.readShortStr() : null;
        String replyTo = (flags & REPLY_TO) != 0 ? r.readShortStr() : null;
        String expiration = (flags & EXPIRATION) != 0 ? r.readShortStr() : null;
        String messageId = (flags & MESSAGE_ID) != 0 ? r.readShortStr() : null;
        Long timestamp = (flags & TIMESTAMP) != 0 ? r.readLongLong() : null;
        String type = (flags & TYPE) != 0 ? r.readShortStr() : null;
        String userId = (flags & USER_ID) != 0 ? r.readShortStr() : null;
        String appId = (flags & APP_ID) != 0 ? r.readShortStr() : null;
        String clusterId = (flags & CLUSTER_ID) != 0 ? r.readShortStr() : null;
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** A property timestamp (seconds since the epoch) as an Instant. */
    public static Instant timestampAsInstant(BasicProperties p) {
        return p.timestamp() == null ? null : Instant.ofEpochSecond(p.timestamp());
    }
}
