package io.warren.core.routing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Equality, hashing and naming of AMQP field-table values held as plain Java objects (Boolean, Byte, Short,
 * Integer, Long, Float, Double, BigDecimal, String, byte[], Instant, Map, List, null for void), the way RabbitMQ
 * compares them. Two notions of equality exist there and both are needed here:
 * <ul>
 *   <li>{@link #same}: typed, structural equality, as Erlang's term equality on {@code {Key, Type, Value}} tuples;
 *       it decides whether two bindings or two argument tables are the same (Integer 1 is not Long 1).</li>
 *   <li>{@link #headerValueMatches}: the headers exchange compares values only with Erlang's {@code ==}, so
 *       numbers compare numerically across types (1 == 1L == 1.0) and a longstr equals a byte array with the
 *       same bytes; nested tables and arrays still compare typed.</li>
 * </ul>
 * Byte arrays compare by content everywhere (Java's equals on arrays is identity, which would make two equal
 * bindings with a byte-array argument distinct).
 */
public final class TableValues {
    private TableValues() {}

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
            h += java.util.Objects.hashCode(e.getKey()) ^ hash(e.getValue());
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
        return v instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : (byte[]) v;
    }

    /** The type name RabbitMQ prints for a value in reply texts (rabbit_binary_parser's atoms). */
    public static String typeName(Object v) {
        if (v == null) return "void";
        if (v instanceof String) return "longstr";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Byte) return "byte";
        if (v instanceof Short) return "short";
        if (v instanceof Integer) return "signedint";
        if (v instanceof Long) return "long";
        if (v instanceof Float) return "float";
        if (v instanceof Double) return "double";
        if (v instanceof BigDecimal) return "decimal";
        if (v instanceof byte[]) return "binary";
        if (v instanceof Instant) return "timestamp";
        if (v instanceof Map) return "table";
        if (v instanceof List) return "array";
        // io.warren.amqp.FieldValues' unsigned wrappers, named without depending on them
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** RabbitMQ's rough grouping of types for argument equivalence: every integer type is one class. */
    static String typeClass(Object v) {
        String name = typeName(v);
        return switch (name) {
            case "byte", "short", "signedint", "long", "unsignedbyte", "unsignedshort", "unsignedint", "unsignedlong" -> "int";
            case "float", "double" -> "float";
            default -> name;
        };
    }

    /** A value as RabbitMQ formats it in reply texts (~ts for binaries, ~tp otherwise). */
    static String format(Object v) {
        if (v == null) {
            return "undefined";
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (v instanceof Instant instant) {
            return Long.toString(instant.getEpochSecond());
        }
        return String.valueOf(v);
    }
}
