package io.warren.broker.serialization;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * Reads what {@link BinaryWriter} wrote from one byte array. Byte fields of a remote message come back as slices of
 * that array, not copies: the array is the serializer's input and is never reused by Pekko once handed to fromBinary.
 * A journal row's fields are copied ({@link #copying}): a row holds up to 512 KiB of messages, and one message left
 * in the queue must not keep the whole row in memory.
 */
final class BinaryReader {
    private final byte[] buf;
    private final boolean copy;
    private int pos;

    BinaryReader(byte[] buf) {
        this(buf, false);
    }

    private BinaryReader(byte[] buf, boolean copy) {
        this.buf = buf;
        this.copy = copy;
    }

    /** A reader whose byte fields are copies, not slices of {@code buf}. */
    static BinaryReader copying(byte[] buf) {
        return new BinaryReader(buf, true);
    }

    private int require(int n) {
        if (n < 0 || n > buf.length - pos) {
            throw new IllegalArgumentException("truncated Warren message: need " + n + " bytes at " + pos + " of " + buf.length);
        }
        int at = pos;
        pos += n;
        return at;
    }

    byte readByte() {
        return buf[require(1)];
    }

    boolean readBoolean() {
        return buf[require(1)] != 0;
    }

    int readInt() {
        int at = require(4);
        return (buf[at] & 0xff) << 24 | (buf[at + 1] & 0xff) << 16 | (buf[at + 2] & 0xff) << 8 | (buf[at + 3] & 0xff);
    }

    long readLong() {
        return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
    }

    String readString() {
        int n = readInt();
        if (n == -1) return null;
        int at = require(n);
        return new String(buf, at, n, StandardCharsets.UTF_8);
    }

    /** What {@link BinaryWriter#writeName} wrote (as {@code DataInputStream.readUTF} reads it). */
    String readName() {
        int at = require(2);
        int n = (buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff);
        int start = require(n), end = start + n;
        char[] chars = new char[n];
        int count = 0;
        for (int i = start; i < end; ) {
            int c = buf[i] & 0xff;
            if (c < 0x80) {
                chars[count++] = (char) c;
                i++;
            } else if ((c >> 5) == 0x6 && i + 1 < end && (buf[i + 1] & 0xC0) == 0x80) {
                chars[count++] = (char) (((c & 0x1F) << 6) | (buf[i + 1] & 0x3F));
                i += 2;
            } else if ((c >> 4) == 0xE && i + 2 < end && (buf[i + 1] & 0xC0) == 0x80 && (buf[i + 2] & 0xC0) == 0x80) {
                chars[count++] = (char) (((c & 0x0F) << 12) | ((buf[i + 1] & 0x3F) << 6) | (buf[i + 2] & 0x3F));
                i += 3;
            } else {
                throw new IllegalArgumentException("malformed name at byte " + (i - start) + " of " + n);
            }
        }
        return new String(chars, 0, count);
    }

    /** A slice of the input, no copy (a copy for a {@link #copying} reader). */
    ByteString readByteString() {
        int n = readInt();
        int at = require(n);
        if (n == 0) return ByteString.emptyByteString();
        return copy ? ByteString.fromArray(buf, at, n) : ByteString.fromArrayUnsafe(buf, at, n);
    }

    long[] readLongs() {
        int n = readInt();
        require(Math.multiplyExact(n, 8));
        pos -= n * 8;
        long[] values = new long[n];
        for (int i = 0; i < n; i++) values[i] = readLong();
        return values;
    }

    /** Fails when bytes are left over: a writer and reader that disagree must not go unnoticed. */
    void expectEnd(String manifest) {
        if (pos != buf.length) {
            throw new IllegalArgumentException((buf.length - pos) + " trailing bytes after Warren message " + manifest);
        }
    }
}
