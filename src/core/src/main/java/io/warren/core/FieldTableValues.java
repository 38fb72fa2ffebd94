package io.warren.core;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * AMQP field-table values (queue and exchange arguments, binding arguments, headers) held as plain Java
 * objects, read, compared, hashed and named the way RabbitMQ does. Values arrive as the codec decodes them:
 * Boolean, Byte, Short, Integer, Long, the codec's unsigned wrappers (records, not {@link Number}s), Float,
 * Double, BigDecimal, String (longstr), byte[] (binary), Instant (or a Date the broker wrote itself), Map
 * (table), List (array), null (void).
 *
 * <p>Two notions of equality exist in RabbitMQ and both are needed here:
 * <ul>
 *   <li>{@link #same}: typed, structural equality, as Erlang's term equality on {@code {Key, Type, Value}} tuples;
 *       it decides whether two bindings or two argument tables are the same (Integer 1 is not Long 1).</li>
 *   <li>{@link #headerValueMatches}: the headers exchange compares values only with Erlang's {@code ==}, so
 *       numbers compare numerically across types (1 == 1L == 1.0) and a longstr equals a byte array with the
 *       same bytes; nested tables and arrays still compare typed.</li>
 * </ul>
 * Byte arrays compare by content everywhere (Java's equals on arrays is identity, which would make two equal
 * bindings with a byte-array argument distinct).
 *
 * <p>Queue arguments read a byte array as a longstr ({@link #isString}, {@link #string}), so the queue names
 * their types with {@link #typeNameWithBytesAsLongstr}; exchanges and bindings name a byte array "binary".
 */
public final class FieldTableValues {
    private FieldTableValues() {}

    /** Typed structural equality (see class comment). */
    public static boolean same(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof byte[] x) {
            return b instanceof byte[] y && Arrays.equals(x, y);
        }
        if (a instanceof Map<?, ?> x) {
            return b instanceof Map<?, ?> y && sameTable(x, y);
        }
        if (a instanceof List<?> x) {
            if (!(b instanceof List<?> y) || x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Typed equality of two field tables, ignoring key order. Null is the empty table. */
    public static boolean sameTable(Map<?, ?> a, Map<?, ?> b) {
        if (a == b) {
            return true;
        }
        int sizeA = a == null ? 0 : a.size();
        int sizeB = b == null ? 0 : b.size();
        if (sizeA != sizeB) {
            return false;
        }
        if (sizeA == 0) {
            return true;
        }
        for (Map.Entry<?, ?> e : a.entrySet()) {
            Object key = e.getKey();
            if (!b.containsKey(key) || !same(e.getValue(), b.get(key))) {
                return false;
            }
        }
        return true;
    }

    /** A hash consistent with {@link #same}. */
    public static int hash(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof byte[] bytes) {
            return Arrays.hashCode(bytes);
        }
        if (v instanceof Map<?, ?> map) {
            return tableHash(map);
        }
        if (v instanceof List<?> list) {
            int h = 1;
            for (Object o : list) {
                h = 31 * h + hash(o);
            }
            return h;
        }
        return v.hashCode();
    }

    /** A hash of a field table consistent with {@link #sameTable}: independent of key order. */
    public static int tableHash(Map<?, ?> table) {
        if (table == null) {
            return 0;
        }
        int h = 0;
        for (Map.Entry<?, ?> e : table.entrySet()) {
            h += Objects.hashCode(e.getKey()) ^ hash(e.getValue());
        }
        return h;
    }

    /**
     * Erlang {@code ==} between a binding's pattern value and a message header value (both non-void).
     * Numbers compare by value across integer and float types; decimals only with decimals of equal scale and
     * unscaled value (RabbitMQ keeps them as {scale, value} tuples); timestamps are integers (seconds) there;
     * longstr and byte arrays are both binaries.
     */
    public static boolean headerValueMatches(Object pattern, Object value) {
        if (pattern == value) {
            return true;
        }
        if (pattern == null || value == null) {
            return false;
        }
        Object p = erlangNumber(pattern);
        Object v = erlangNumber(value);
        if (p instanceof Long pl) {
            if (v instanceof Long vl) {
                return pl.longValue() == vl.longValue();
            }
            return v instanceof Double vd && (double) pl == vd;
        }
        if (p instanceof Double pd) {
            if (v instanceof Double vd) {
                return pd.doubleValue() == vd.doubleValue();
            }
            return v instanceof Long vl && pd == (double) vl;
        }
        if (isBinary(pattern) && isBinary(value)) {
            return Arrays.equals(binaryBytes(pattern), binaryBytes(value));
        }
        return same(pattern, value);
    }

    /** Integral values (timestamps included) as Long, floats as Double, anything else unchanged. */
    private static Object erlangNumber(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Instant instant) {
            return instant.getEpochSecond();
        }
        return v;
    }

    private static boolean isBinary(Object v) {
        return v instanceof String || v instanceof byte[];
    }

    private static byte[] binaryBytes(Object v) {
        return v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) v;
    }

    /**
     * RabbitMQ's name for the field type of {@code v}, as it prints it in reply texts (rabbit_binary_parser's
     * atoms, e.g. in "unacceptable_type" errors).
     */
    public static String typeName(Object v) {
        if (v == null) return "void";
        if (v instanceof CharSequence) return "longstr";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Byte) return "byte";
        if (v instanceof Short) return "short";
        if (v instanceof Integer) return "signedint";
        if (v instanceof Long) return "long";
        if (v instanceof Float) return "float";
        if (v instanceof Double) return "double";
        if (v instanceof BigDecimal) return "decimal";
        if (v instanceof byte[]) return "binary";
        if (v instanceof Instant || v instanceof Date) return "timestamp";
        if (v instanceof Map) return "table";
        if (v instanceof List) return "array";
        // the codec's unsigned wrappers (io.warren.amqp.FieldValues), named without depending on them
        String simple = v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (simple.contains("unsignedbyte") || simple.equals("ubyte")) return "unsignedbyte";
        if (simple.contains("unsignedshort") || simple.equals("ushort")) return "unsignedshort";
        if (simple.contains("unsignedint") || simple.equals("uint")) return "unsignedint";
        return simple;
    }

    /** {@link #typeName}, but a byte array is named "longstr": the queue reads it as one (see {@link #isString}). */
    public static String typeNameWithBytesAsLongstr(Object v) {
        return v instanceof byte[] ? "longstr" : typeName(v);
    }

    /**
     * RabbitMQ's type class used for argument equivalence (rabbit_misc:type_class): all integer types, signed
     * and unsigned, and decimal are "int", both floating types "float", anything else its {@link #typeName}.
     */
    public static String typeClass(Object v) {
        if (isInteger(v) || v instanceof BigDecimal) return "int";
        if (v instanceof Float || v instanceof Double) return "float";
        String name = typeName(v);
        return name.startsWith("unsigned") ? "int" : name;
    }

    /** {@link #typeClass}, with a byte array in the longstr class as the queue reads it. */
    public static String typeClassWithBytesAsLongstr(Object v) {
        return v instanceof byte[] ? "longstr" : typeClass(v);
    }

    /**
     * Whether this is a non-floating {@link Number} other than a decimal, i.e. one {@link #longValue} can
     * read. The codec's unsigned wrappers are not Numbers, so they are not counted here.
     */
    public static boolean isInteger(Object v) {
        return (v instanceof Number && !(v instanceof Float) && !(v instanceof Double) && !(v instanceof BigDecimal))
                || v instanceof io.warren.amqp.FieldValues.UnsignedByte || v instanceof io.warren.amqp.FieldValues.UnsignedShort
                || v instanceof io.warren.amqp.FieldValues.UnsignedInt || v instanceof io.warren.amqp.FieldValues.UnsignedLong;
    }

    /** Whether a queue reads this as a longstr: text, or a byte array holding it. */
    public static boolean isString(Object v) {
        return v instanceof CharSequence || v instanceof byte[];
    }

    /** The text of a longstr value; other values by their toString (e.g. a codec's LongString wrapper). */
    public static String string(Object v) {
        if (v == null) return null;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        return v.toString();
    }

    /** The value of an integer (see {@link #isInteger}). */
    public static long longValue(Object v) {
        // The codec keeps unsigned wire types apart (so headers round-trip); as numbers they are integers like any.
        if (v instanceof io.warren.amqp.FieldValues.UnsignedByte u) return u.value();
        if (v instanceof io.warren.amqp.FieldValues.UnsignedShort u) return u.value();
        if (v instanceof io.warren.amqp.FieldValues.UnsignedInt u) return u.value();
        if (v instanceof io.warren.amqp.FieldValues.UnsignedLong u) return u.value();
        return ((Number) v).longValue();
    }

    /** A value as RabbitMQ formats it in reply texts (~ts for binaries, ~tp otherwise). */
    public static String format(Object v) {
        if (v == null) {
            return "undefined";
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (v instanceof Instant instant) {
            return Long.toString(instant.getEpochSecond());
        }
        return String.valueOf(v);
    }

    /** Erlang ~p of a character list (a formatted error string): double-quoted. */
    public static String erlangString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
