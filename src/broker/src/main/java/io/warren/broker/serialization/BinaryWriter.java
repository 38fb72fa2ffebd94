package io.warren.broker.serialization;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Big-endian writer over one {@link ByteStringBuilder}: appended ByteStrings (message bodies) are kept as
 * fragments, not copied, so a body is copied exactly once, when the result is flattened into the frame.
 */
final class BinaryWriter {
    private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

    private final ByteStringBuilder out = ByteString.newBuilder();

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

    /** Length-prefixed bytes, appended without copying. */
    void writeBytes(ByteString bytes) {
        writeInt(bytes.size());
        out.append(bytes);
    }

    /** Length-prefixed bytes; length -1 is null. */
    void writeBytes(byte[] bytes) {
        if (bytes == null) {
            writeInt(-1);
            return;
        }
        writeInt(bytes.length);
        out.putBytes(bytes);
    }

    void writeLongs(long[] values) {
        writeInt(values.length);
        for (long v : values) out.putLong(v, ORDER);
    }

    ByteString result() {
        return out.result();
    }
}
