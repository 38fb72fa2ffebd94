package io.warren.amqp;

import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads AMQP data types from a byte range. Every read checks the bounds first and reports a short or garbled
 * input as an {@link AmqpException} with FRAME_ERROR (what RabbitMQ sends for undecodable method fields), so
 * that nothing else (IndexOutOfBounds, NegativeArraySize, OOM on a huge claimed length) escapes to the caller.
 */
public final class WireReader {
    private final byte[] buf;
    private int pos;
    private final int limit;

    public WireReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    public static WireReader of(ByteString bytes) {
        // Method and header payloads are small: a copy of a sliced ByteString costs less than indirection.
        byte[] array = bytes.toArrayUnsafe();
        return new WireReader(array, 0, bytes.length());
    }

    public int remaining() { return limit - pos; }

    public boolean hasRemaining() { return pos < limit; }

    static AmqpException malformed(String what) {
        return AmqpException.connection(ReplyCodes.FRAME_ERROR, ReplyCodes.text(ReplyCodes.FRAME_ERROR, what));
    }

    private void need(long n) {
        if (n < 0 || n > limit - pos) {
            throw malformed("cannot decode: need " + n + " bytes, " + (limit - pos) + " left");
        }
    }

    public int readOctet() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public int readShort() {
        need(2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int readInt() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    /** An AMQP "long": unsigned 32 bits. */
    public long readLong() {
        return readInt() & 0xFFFFFFFFL;
    }

    public long readLongLong() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    public byte[] readBytes(int n) {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }

    /** A shortstr, decoded leniently (invalid UTF-8 becomes U+FFFD). */
    public String readShortStr() {
        int n = readOctet();
        need(n);
        String s = decodeLenient(pos, n);
        pos += n;
        return s;
    }

    /** A shortstr that must be valid UTF-8: RabbitMQ checks this on the fields of methods without content. */
    public String readShortStrStrict() {
        int n = readOctet();
        need(n);
        String s;
        if (isAscii(pos, n)) {
            s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
        } else {
            try {
                s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(buf, pos, n)).toString();
            } catch (CharacterCodingException e) {
                throw malformed("Malformed UTF-8 in shortstr");
            }
        }
        pos += n;
        return s;
    }

    public String readLongStr() {
        long n = readLong();
        need(n);
        String s = decodeLenient(pos, (int) n);
        pos += (int) n;
        return s;
    }

    public byte[] readLongStrBytes() {
        long n = readLong();
        need(n);
        return readBytes((int) n);
    }

    /** A field table with its 32-bit size prefix; the result is unmodifiable and keeps wire order. */
    public Map<String, Object> readTable() {
        return FieldTables.readTable(this);
    }

    /** A reader over the next n bytes; this reader moves past them. */
    public WireReader sub(long n) {
        need(n);
        WireReader r = new WireReader(buf, pos, (int) n);
        pos += (int) n;
        return r;
    }

    private String decodeLenient(int at, int n) {
        if (isAscii(at, n)) {
            // Latin-1 decoding of ASCII is a plain array copy into a compact String.
            return new String(buf, at, n, StandardCharsets.ISO_8859_1);
        }
        return new String(buf, at, n, StandardCharsets.UTF_8);
    }

    private boolean isAscii(int at, int n) {
        for (int i = at, end = at + n; i < end; i++) {
            if (buf[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
