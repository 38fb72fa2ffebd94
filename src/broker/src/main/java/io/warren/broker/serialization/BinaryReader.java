package io.warren.broker.serialization;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * Reads what {@link BinaryWriter} wrote from one byte array. Byte fields come back as slices of that array, not
 * copies: the array is the serializer's input and is never reused by Pekko once handed to fromBinary.
 */
final class BinaryReader {
    private final byte[] buf;
    private int pos;

    BinaryReader(byte[] buf) {
        this.buf = buf;
    }

    private int require(int n) {
        if (n < 0 || n > buf.length - pos) {
            throw new IllegalArgumentException("truncated Warren message: need " + n + " bytes at " + pos + " of " + buf.length);
        }
        int at = pos;
        pos += n;
        return at;
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

    /** A slice of the input, no copy. */
    ByteString readByteString() {
        int n = readInt();
        int at = require(n);
        return n == 0 ? ByteString.emptyByteString() : ByteString.fromArrayUnsafe(buf, at, n);
    }

    byte[] readByteArray() {
        int n = readInt();
        if (n == -1) return null;
        int at = require(n);
        byte[] copy = new byte[n];
        System.arraycopy(buf, at, copy, 0, n);
        return copy;
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
