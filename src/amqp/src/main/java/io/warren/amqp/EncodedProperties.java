package io.warren.amqp;

import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * A basic-class content header's properties (flag word(s) and property list) in the form they came off the wire,
 * as RabbitMQ keeps them: the bytes travel unchanged from the publish through queues, journal and remoting to every
 * delivery's content header frame. The broker's rules read only a few properties (delivery-mode, priority,
 * expiration, reply-to, user-id, headers); those are found by walking the flag word and skipping the values before
 * them, without building {@link BasicProperties}. The full decoding is made only when asked for ({@link #decoded()}),
 * and a change (dead-lettering, BCC removal...) re-encodes through {@link #of(BasicProperties)}.
 *
 * <p>Immutable as seen from outside: the decoded headers and properties are cached in plain fields. Two threads
 * decoding at once compute equal values, and both are immutable (final fields), so the race is harmless.
 * Equality is by bytes.
 */
public final class EncodedProperties {

    /** A zero flag word: no properties. */
    public static final EncodedProperties EMPTY;

    private static final int ABSENT = -1;

    private final ByteString bytes;
    private final int deliveryMode;
    private final int priority;
    private final int replyToAt;
    private final int expirationAt;
    private final int userIdAt;
    private final int headersAt;
    private Map<String, Object> headers;
    private BasicProperties decoded;

    static {
        EMPTY = new EncodedProperties(ContentHeaders.EMPTY, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, null);
        EMPTY.decoded = BasicProperties.EMPTY;
    }

    private EncodedProperties(ByteString bytes, int deliveryMode, int priority, int replyToAt, int expirationAt,
                              int userIdAt, int headersAt, Map<String, Object> headers) {
        this.bytes = bytes;
        this.deliveryMode = deliveryMode;
        this.priority = priority;
        this.replyToAt = replyToAt;
        this.expirationAt = expirationAt;
        this.userIdAt = userIdAt;
        this.headersAt = headersAt;
        this.headers = headers;
    }

    /** {@code p} encoded (null is {@link #EMPTY}). */
    public static EncodedProperties of(BasicProperties p) {
        if (p == null || p.equals(BasicProperties.EMPTY)) return EMPTY;
        ByteString bytes = ContentHeaders.encode(p);
        // The offsets come from the bytes, so nothing depends on the caches below being seen by another thread.
        EncodedProperties e = walk(WireReader.of(bytes), bytes, false);
        e.decoded = p;
        if (p.headers() != null) e.headers = p.headers();
        return e;
    }

    /**
     * Properties kept from a content header frame: {@code in} is positioned at the flag word of {@code bytes} and
     * covers exactly them. Checks the structure as a full decode would (flag words, lengths; the header table is
     * decoded, every publish with headers needs it for CC/BCC) and throws FRAME_ERROR when it is wrong.
     */
    public static EncodedProperties parse(WireReader in, ByteString bytes) {
        return walk(in, bytes, true);
    }

    /**
     * Properties stored earlier (journal, another node): the structure is checked, the header table is only
     * skipped (it was checked when published) and decoded when a rule asks for it.
     */
    public static EncodedProperties read(ByteString bytes) {
        if (bytes.length() == 2 && bytes.apply(0) == 0 && bytes.apply(1) == 0) return EMPTY;
        WireReader in = WireReader.of(bytes);
        EncodedProperties p = walk(in, bytes, false);
        if (in.hasRemaining()) throw WireReader.malformed("trailing bytes after content header properties");
        return p;
    }

    private static EncodedProperties walk(WireReader in, ByteString bytes, boolean decodeHeaders) {
        int start = in.remaining();
        int flags = in.readShort();
        int more = flags;
        while ((more & ContentHeaders.CONTINUATION) != 0) {
            // Basic has 14 properties, all in the first word: later words can only name properties we cannot
            // decode, so they must be empty.
            more = in.readShort();
            if ((more & ~ContentHeaders.CONTINUATION) != 0) {
                throw WireReader.malformed("unknown basic property flags " + more);
            }
        }
        if (flags == 0 && bytes.length() == 2) return EMPTY;
        int deliveryMode = ABSENT, priority = ABSENT, replyToAt = ABSENT, expirationAt = ABSENT, userIdAt = ABSENT;
        int headersAt = ABSENT;
        Map<String, Object> headers = null;
        if ((flags & ContentHeaders.CONTENT_TYPE) != 0) skipShortStr(in);
        if ((flags & ContentHeaders.CONTENT_ENCODING) != 0) skipShortStr(in);
        if ((flags & ContentHeaders.HEADERS) != 0) {
            headersAt = start - in.remaining();
            if (decodeHeaders) {
                headers = in.readTable();
            } else {
                in.skip(checkedLength(in.readLong()));
            }
        }
        if ((flags & ContentHeaders.DELIVERY_MODE) != 0) deliveryMode = in.readOctet();
        if ((flags & ContentHeaders.PRIORITY) != 0) priority = in.readOctet();
        if ((flags & ContentHeaders.CORRELATION_ID) != 0) skipShortStr(in);
        if ((flags & ContentHeaders.REPLY_TO) != 0) replyToAt = skipShortStr(in, start);
        if ((flags & ContentHeaders.EXPIRATION) != 0) expirationAt = skipShortStr(in, start);
        if ((flags & ContentHeaders.MESSAGE_ID) != 0) skipShortStr(in);
        if ((flags & ContentHeaders.TIMESTAMP) != 0) in.skip(8);
        if ((flags & ContentHeaders.TYPE) != 0) skipShortStr(in);
        if ((flags & ContentHeaders.USER_ID) != 0) userIdAt = skipShortStr(in, start);
        if ((flags & ContentHeaders.APP_ID) != 0) skipShortStr(in);
        if ((flags & ContentHeaders.CLUSTER_ID) != 0) skipShortStr(in);
        return new EncodedProperties(bytes, deliveryMode, priority, replyToAt, expirationAt, userIdAt, headersAt,
                headers);
    }

    private static int checkedLength(long n) {
        if (n > Integer.MAX_VALUE) throw WireReader.malformed("cannot decode: need " + n + " bytes");
        return (int) n;
    }

    private static void skipShortStr(WireReader in) {
        in.skip(in.readOctet());
    }

    /** Skips a shortstr and returns where it started (its length octet), counted from {@code start}. */
    private static int skipShortStr(WireReader in, int start) {
        int at = start - in.remaining();
        skipShortStr(in);
        return at;
    }

    /** The encoded form: what a content header frame carries after class id, weight and body size. */
    public ByteString bytes() {
        return bytes;
    }

    /** All properties, decoded on first use. */
    public BasicProperties decoded() {
        BasicProperties d = decoded;
        if (d == null) {
            d = ContentHeaders.decode(bytes);
            decoded = d;
        }
        return d;
    }

    /** The headers table, or null when absent; decoded on first use. */
    public Map<String, Object> headers() {
        if (headersAt == ABSENT) return null;
        Map<String, Object> h = headers;
        if (h == null) {
            WireReader in = WireReader.of(bytes.drop(headersAt));
            h = in.readTable();
            headers = h;
        }
        return h;
    }

    /** The delivery-mode property, or null when absent. */
    public Integer deliveryMode() {
        return deliveryMode == ABSENT ? null : deliveryMode;
    }

    /** delivery-mode 2 asks for the message to be written to disk on a durable queue. */
    public boolean persistent() {
        return deliveryMode == 2;
    }

    /** The priority property, or null when absent. */
    public Integer priority() {
        return priority == ABSENT ? null : priority;
    }

    public String replyTo() {
        return replyToAt == ABSENT ? null : shortStrAt(replyToAt);
    }

    public String expiration() {
        return expirationAt == ABSENT ? null : shortStrAt(expirationAt);
    }

    public String userId() {
        return userIdAt == ABSENT ? null : shortStrAt(userIdAt);
    }

    private String shortStrAt(int at) {
        int n = bytes.apply(at) & 0xFF;
        return WireReader.of(bytes.slice(at, at + 1 + n)).readShortStr();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedProperties p && bytes.equals(p.bytes);
    }

    @Override
    public int hashCode() {
        return bytes.hashCode();
    }

    @Override
    public String toString() {
        return decoded().toString();
    }
}
