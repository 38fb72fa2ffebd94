package io.warren.amqp;

import org.apache.pekko.util.ByteString;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Field tables ('F') and field arrays ('A') as RabbitMQ and its clients encode them (the 0-9-1 errata tags:
 * 's' signed 16-bit, 'u' unsigned 16-bit, 'l' signed 64-bit, and so on).
 *
 * <p>Decoded values keep their tag: t Boolean, b Byte, B {@link FieldValues.UnsignedByte}, s Short,
 * u {@link FieldValues.UnsignedShort}, I Integer, i {@link FieldValues.UnsignedInt}, l Long,
 * L {@link FieldValues.UnsignedLong}, f Float, d Double, D BigDecimal, S String (UTF-8), x byte[],
 * T Instant (whole seconds), F Map (unmodifiable, wire order), A List (unmodifiable), V null.
 * Encoding also accepts java.util.Date (as T), Object[] (as A) and any CharSequence (as S).
 */
public final class FieldTables {
    private FieldTables() {}

    /** Nesting deeper than this is rejected, so a hostile frame cannot overflow the decoder's stack. */
    static final int MAX_DEPTH = 100;

    /** The table as it appears on the wire: 32-bit size, then the entries. */
    public static ByteString encode(Map<String, Object> table) {
        WireWriter w = new WireWriter(64);
        writeTable(w, table);
        return w.toByteString();
    }

    /** Decodes a table with its 32-bit size prefix; trailing bytes after the table are an error. */
    public static Map<String, Object> decode(ByteString bytes) {
        WireReader r = WireReader.of(bytes);
        Map<String, Object> table = readTable(r);
        if (r.hasRemaining()) throw WireReader.malformed("trailing bytes after field table");
        return table;
    }

    /** The array as it appears on the wire: 32-bit size, then tagged values. */
    public static ByteString encodeArray(List<?> array) {
        WireWriter w = new WireWriter(64);
        writeArray(w, array, 0);
        return w.toByteString();
    }

    public static List<Object> decodeArray(ByteString bytes) {
        WireReader r = WireReader.of(bytes);
        List<Object> array = readArray(r, 0);
        if (r.hasRemaining()) throw WireReader.malformed("trailing bytes after field array");
        return array;
    }

    static void writeTable(WireWriter w, Map<String, Object> table) {
        writeTable(w, table, 0);
    }

    private static void writeTable(WireWriter w, Map<String, ?> table, int depth) {
        int sizeAt = w.reserveInt();
        int start = w.position();
        if (table != null) {
            for (Map.Entry<String, ?> e : table.entrySet()) {
                w.writeShortStr(e.getKey());
                writeValue(w, e.getValue(), depth);
            }
        }
        w.patchInt(sizeAt, w.position() - start);
    }

    private static void writeArray(WireWriter w, Iterable<?> array, int depth) {
        int sizeAt = w.reserveInt();
        int start = w.position();
        for (Object v : array) {
            writeValue(w, v, depth);
        }
        w.patchInt(sizeAt, w.position() - start);
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(WireWriter w, Object v, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("field table nested deeper than " + MAX_DEPTH);
        if (v == null) {
            w.writeOctet('V');
        } else if (v instanceof String s) {
            w.writeOctet('S');
            w.writeLongStr(s);
        } else if (v instanceof Integer i) {
            w.writeOctet('I');
            w.writeInt(i);
        } else if (v instanceof Long l) {
            w.writeOctet('l');
            w.writeLongLong(l);
        } else if (v instanceof Boolean b) {
            w.writeOctet('t');
            w.writeOctet(b ? 1 : 0);
        } else if (v instanceof Map<?, ?> m) {
            w.writeOctet('F');
            writeTable(w, (Map<String, ?>) m, depth + 1);
        } else if (v instanceof List<?> list) {
            w.writeOctet('A');
            writeArray(w, list, depth + 1);
        } else if (v instanceof byte[] bytes) {
            w.writeOctet('x');
            w.writeLongStr(bytes);
        } else if (v instanceof Byte b) {
            w.writeOctet('b');
            w.writeOctet(b);
        } else if (v instanceof Short s) {
            w.writeOctet('s');
            w.writeShort(s);
        } else if (v instanceof Float f) {
            w.writeOctet('f');
            w.writeInt(Float.floatToRawIntBits(f));
        } else if (v instanceof Double d) {
            w.writeOctet('d');
            w.writeLongLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof BigDecimal d) {
            w.writeOctet('D');
            writeDecimal(w, d);
        } else if (v instanceof Instant t) {
            w.writeOctet('T');
            w.writeLongLong(t.getEpochSecond());
        } else if (v instanceof Date t) {
            w.writeOctet('T');
            w.writeLongLong(t.getTime() / 1000);
        } else if (v instanceof FieldValues.UnsignedByte u) {
            w.writeOctet('B');
            w.writeOctet(u.value());
        } else if (v instanceof FieldValues.UnsignedShort u) {
            w.writeOctet('u');
            w.writeShort(u.value());
        } else if (v instanceof FieldValues.UnsignedInt u) {
            w.writeOctet('i');
            w.writeLong(u.value());
        } else if (v instanceof FieldValues.UnsignedLong u) {
            w.writeOctet('L');
            w.writeLongLong(u.value());
        } else if (v instanceof Object[] array) {
            w.writeOctet('A');
            writeArray(w, java.util.Arrays.asList(array), depth + 1);
        } else if (v instanceof CharSequence s) {
            w.writeOctet('S');
            w.writeLongStr(s.toString());
        } else {
            throw new IllegalArgumentException("no AMQP field type for " + v.getClass().getName());
        }
    }

    /** 'D': a scale octet and a signed 32-bit unscaled value, as RabbitMQ's Java client writes it. */
    private static void writeDecimal(WireWriter w, BigDecimal d) {
        if (d.scale() < 0) d = d.setScale(0);
        if (d.scale() > 255) throw new IllegalArgumentException("decimal scale above 255: " + d);
        BigInteger unscaled = d.unscaledValue();
        if (unscaled.bitLength() > 31) throw new IllegalArgumentException("decimal unscaled value beyond 32 bits: " + d);
        w.writeOctet(d.scale());
        w.writeInt(unscaled.intValue());
    }

    static Map<String, Object> readTable(WireReader r) {
        return readTable(r, 0);
    }

    private static Map<String, Object> readTable(WireReader r, int depth) {
        WireReader t = r.sub(r.readLong());
        if (!t.hasRemaining()) return Map.of();
        Map<String, Object> out = new LinkedHashMap<>();
        while (t.hasRemaining()) {
            String key = t.readShortStr();
            out.put(key, readValue(t, depth));
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<Object> readArray(WireReader r, int depth) {
        WireReader a = r.sub(r.readLong());
        if (!a.hasRemaining()) return List.of();
        List<Object> out = new ArrayList<>();
        while (a.hasRemaining()) {
            out.add(readValue(a, depth));
        }
        // Not List.copyOf: arrays may hold V (null).
        return Collections.unmodifiableList(out);
    }

    private static final long MIN_INSTANT_SECOND = Instant.MIN.getEpochSecond();
    private static final long MAX_INSTANT_SECOND = Instant.MAX.getEpochSecond();

    private static Instant timestamp(long seconds) {
        if (seconds < MIN_INSTANT_SECOND || seconds > MAX_INSTANT_SECOND) {
            throw WireReader.malformed("timestamp out of range: " + seconds);
        }
        return Instant.ofEpochSecond(seconds);
    }

    private static Object readValue(WireReader r, int depth) {
        if (depth > MAX_DEPTH) throw WireReader.malformed("field table nested deeper than " + MAX_DEPTH);
        int tag = r.readOctet();
        return switch (tag) {
            case 'S' -> r.readLongStr();
            case 'I' -> r.readInt();
            case 'l' -> r.readLongLong();
            case 't' -> r.readOctet() != 0;
            case 'F' -> readTable(r, depth + 1);
            case 'A' -> readArray(r, depth + 1);
            case 'x' -> r.readLongStrBytes();
            case 'b' -> (byte) r.readOctet();
            case 'B' -> new FieldValues.UnsignedByte(r.readOctet());
            case 's' -> (short) r.readShort();
            case 'u' -> new FieldValues.UnsignedShort(r.readShort());
            case 'i' -> new FieldValues.UnsignedInt(r.readLong());
            case 'L' -> new FieldValues.UnsignedLong(r.readLongLong());
            case 'f' -> Float.intBitsToFloat(r.readInt());
            case 'd' -> Double.longBitsToDouble(r.readLongLong());
            case 'D' -> {
                int scale = r.readOctet();
                int unscaled = r.readInt();
                yield new BigDecimal(BigInteger.valueOf(unscaled), scale);
            }
            case 'T' -> timestamp(r.readLongLong());
            case 'V' -> null;
            default -> throw WireReader.malformed("unknown field table type '" + (char) tag + "' (" + tag + ")");
        };
    }
}
