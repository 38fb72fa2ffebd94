package io.warren.broker.serialization;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Big-endian writer over one {@link ByteStringBuilder}: appended ByteStrings (message bodies) are kept as
 * fragments, not copied, so a body is copied exactly once, when the result is flattened into the frame or row. The one
 * writer of both the journal's and remoting's formats ({@link RecordFormat} holds the records they share).
 */
final class BinaryWriter {
    private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

    private final ByteStringBuilder out = ByteString.newBuilder();

    void writeByte(int v) {
        out.putByte((byte) v);
    }

    void writeBoolean(boolean v) {
        out.putByte(v ? (byte) 1 : (byte) 0);
    }

    void writeInt(int v) {
        out.putInt(v, ORDER);
    }

    void writeLong(long v) {
        out.putLong(v, ORDER);
    }

    /** Length-prefixed UTF-8 (standard, not Java's modified UTF-8); length -1 is null. No 64 KiB limit. */
    void writeString(String s) {
        if (s == null) {
            writeInt(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        out.putBytes(utf8);
    }

    /**
     * A name: a 2-byte length and modified UTF-8, byte for byte what {@code DataOutputStream.writeUTF} writes (the
     * journal has always stored names so). Names are AMQP short strings, far below its 65,535-byte limit.
     */
    void writeName(String s) {
        int n = s.length();
        int utflen = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c == 0) utflen += c >= 0x800 ? 2 : 1;
        }
        if (utflen > 0xFFFF) throw new IllegalArgumentException("name too long to encode (" + utflen + " bytes)");
        out.putShort(utflen, ORDER);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c != 0 && c < 0x80) {
                out.putByte((byte) c);
            } else if (c >= 0x800) {
                out.putByte((byte) (0xE0 | ((c >> 12) & 0x0F)));
                out.putByte((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.putByte((byte) (0x80 | (c & 0x3F)));
            } else {
                out.putByte((byte) (0xC0 | ((c >> 6) & 0x1F)));
                out.putByte((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    /** Length-prefixed bytes, appended without copying. */
    void writeBytes(ByteString bytes) {
        writeInt(bytes.size());
        out.append(bytes);
    }

    void writeLongs(long[] values) {
        writeInt(values.length);
        for (long v : values) out.putLong(v, ORDER);
    }

    ByteString result() {
        return out.result();
    }
}
