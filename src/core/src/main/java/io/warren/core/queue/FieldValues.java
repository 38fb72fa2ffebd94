package io.warren.core.queue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * How the queue reads field-table values (queue arguments, headers) and names their types the way RabbitMQ's
 * error texts do. Values arrive as the codec decodes them: String (or byte[]) for longstr, Byte/Short/Integer/
 * Long and any other non-floating {@link Number} (unsigned wrappers) for integers, Boolean, Float/Double,
 * BigDecimal, Date, Map (table), List (array).
 */
final class FieldValues {
    private FieldValues() {}

    /** RabbitMQ's name for the field type of {@code v} (what it prints in "unacceptable_type" errors). */
    static String typeName(Object v) {
        if (v == null) return "void";
        if (v instanceof CharSequence || v instanceof byte[]) return "longstr";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Byte) return "byte";
        if (v instanceof Short) return "short";
        if (v instanceof Integer) return "signedint";
        if (v instanceof Long) return "long";
        if (v instanceof Float) return "float";
        if (v instanceof Double) return "double";
        if (v instanceof BigDecimal) return "decimal";
        if (v instanceof Date || v instanceof java.time.Instant) return "timestamp";
        if (v instanceof Map) return "table";
        if (v instanceof List) return "array";
        String simple = v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        if (simple.contains("unsignedbyte") || simple.equals("ubyte")) return "unsignedbyte";
        if (simple.contains("unsignedshort") || simple.equals("ushort")) return "unsignedshort";
        if (simple.contains("unsignedint") || simple.equals("uint")) return "unsignedint";
        return simple;
    }

    /** Whether RabbitMQ counts this as one of its integer argument types. */
    static boolean isInteger(Object v) {
        return v instanceof Number && !(v instanceof Float) && !(v instanceof Double)
                && !(v instanceof BigDecimal);
    }

    /** RabbitMQ's type class used for argument equivalence: all integer types (and decimal) compare as int. */
    static String typeClass(Object v) {
        if (isInteger(v) || v instanceof BigDecimal) return "int";
        if (v instanceof Float || v instanceof Double) return "float";
        return typeName(v);
    }

    static boolean isString(Object v) {
        return v instanceof CharSequence || v instanceof byte[];
    }

    /** The text of a longstr value; other values by their toString (e.g. a codec's LongString wrapper). */
    static String string(Object v) {
        if (v == null) return null;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        return v.toString();
    }

    static long longValue(Object v) {
        return ((Number) v).longValue();
    }

    /** Erlang ~p of a character list (a formatted error string): double-quoted. */
    static String erlangString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
