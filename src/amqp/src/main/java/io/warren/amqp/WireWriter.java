package io.warren.amqp;

import org.apache.pekko.util.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A growable big-endian byte array for encoding AMQP data types. Our own array rather than a ByteStringBuilder
 * because lengths (frame sizes, table sizes) are only known after their content is written, and an array can be
 * patched in place: one pass, no second buffer per table or frame. Not thread-safe; one per encode call.
 */
public final class WireWriter {
    private byte[] buf;
    private int pos;

    public WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int position() { return pos; }

    private void ensure(int more) {
        int needed = pos + more;
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }

    public void writeOctet(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    public void writeShort(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    /** An AMQP "long": 32 bits (unsigned in the method domain, but the bits are what matter). */
    public void writeInt(int v) {
        ensure(4);
        putInt(pos, v);
        pos += 4;
    }

    public void writeLong(long unsigned32) {
        writeInt((int) unsigned32);
    }

    public void writeLongLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
    }

    public void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    public void writeBytes(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, pos, length);
        pos += length;
    }

    public void writeBytes(ByteString bytes) {
        int n = bytes.length();
        ensure(n);
        bytes.copyToArray(buf, pos, n);
        pos += n;
    }

    /** A shortstr: one length octet then UTF-8, at most 255 bytes. */
    public void writeShortStr(String s) {
        if (s == null || s.isEmpty()) {
            writeOctet(0);
            return;
        }
        int n = s.length();
        if (n <= 255 && isAscii(s)) {
            ensure(1 + n);
            buf[pos++] = (byte) n;
            for (int i = 0; i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 255) {
            throw new IllegalArgumentException("shortstr longer than 255 bytes: " + utf8.length);
        }
        writeOctet(utf8.length);
        writeBytes(utf8);
    }

    /** A longstr: a 32-bit length then UTF-8. */
    public void writeLongStr(String s) {
        if (s == null || s.isEmpty()) {
            writeInt(0);
            return;
        }
        int n = s.length();
        if (isAscii(s)) {
            ensure(4 + n);
            putInt(pos, n);
            pos += 4;
            for (int i = 0; i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        writeBytes(utf8);
    }

    public void writeLongStr(byte[] bytes) {
        if (bytes == null) {
            writeInt(0);
            return;
        }
        writeInt(bytes.length);
        writeBytes(bytes);
    }

    /** A field table with its 32-bit size prefix. */
    public void writeTable(Map<String, Object> table) {
        FieldTables.writeTable(this, table);
    }

    /** Reserves 4 bytes for a size written later with {@link #patchInt}; returns their position. */
    public int reserveInt() {
        ensure(4);
        int at = pos;
        pos += 4;
        return at;
    }

    public void patchInt(int at, int v) {
        putInt(at, v);
    }

    private void putInt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    /** The bytes written so far, sharing this writer's array: the writer must not be used afterwards. */
    public ByteString toByteString() {
        return ByteString.fromArrayUnsafe(buf, 0, pos);
    }

    /** A slice of the bytes written so far, sharing the array (for stitching frames around body slices). */
    public ByteString slice(int from, int until) {
        return ByteString.fromArrayUnsafe(buf, from, until - from);
    }

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
