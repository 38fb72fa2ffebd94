package io.warren.amqp;

/**
 * Wrappers for the field-table value types that have no natural Java type. Each keeps its wire tag, so a
 * table decoded and encoded again comes out byte for byte the same.
 */
public final class FieldValues {
    private FieldValues() {}

    /** Tag 'B': an unsigned octet, 0..255. */
    public record UnsignedByte(int value) {
        public UnsignedByte {
            if (value < 0 || value > 0xFF) throw new IllegalArgumentException("unsigned byte out of range: " + value);
        }
    }

    /** Tag 'u': an unsigned 16-bit integer, 0..65535. */
    public record UnsignedShort(int value) {
        public UnsignedShort {
            if (value < 0 || value > 0xFFFF) throw new IllegalArgumentException("unsigned short out of range: " + value);
        }
    }

    /** Tag 'i': an unsigned 32-bit integer, 0..4294967295. */
    public record UnsignedInt(long value) {
        public UnsignedInt {
            if (value < 0 || value > 0xFFFFFFFFL) throw new IllegalArgumentException("unsigned int out of range: " + value);
        }
    }

    /**
     * Tag 'L': 64 bits. RabbitMQ reads it as a signed long (see its 0-9-1 errata), so the value is the signed
     * interpretation of the bits; the wrapper only remembers that the sender wrote 'L' and not 'l'.
     */
    public record UnsignedLong(long value) {}
}
