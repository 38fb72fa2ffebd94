package io.warren.amqp;

import io.warren.amqp.method.Method;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Test data: method records with non-default values, a field table holding every value type. */
public final class Samples {
    private Samples() {}

    /** One entry per field value type, nested table and array included. */
    public static Map<String, Object> everyFieldType() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner-int", -5);
        nested.put("inner-str", "ünïcode ✓");
        List<Object> array = new ArrayList<>();
        array.add(1);
        array.add("two");
        array.add(null);
        array.add(List.of(3L, true));
        array.add(Map.of("k", (short) -2));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("bool-true", true);
        t.put("bool-false", false);
        t.put("byte", (byte) -128);
        t.put("ubyte", new FieldValues.UnsignedByte(255));
        t.put("short", (short) -32768);
        t.put("ushort", new FieldValues.UnsignedShort(65535));
        t.put("int", Integer.MIN_VALUE);
        t.put("uint", new FieldValues.UnsignedInt(0xFFFFFFFFL));
        t.put("long", Long.MIN_VALUE);
        t.put("ulong", new FieldValues.UnsignedLong(-1L));
        t.put("float", 3.25f);
        t.put("double", -1.0e300);
        t.put("decimal", new BigDecimal("-123.45"));
        t.put("decimal-big-scale", new BigDecimal("0.0000000001"));
        t.put("string", "héllo wörld");
        t.put("empty-string", "");
        t.put("bytes", new byte[] {0, 1, (byte) 0xFF, (byte) 0x80});
        t.put("timestamp", Instant.ofEpochSecond(1_700_000_000L));
        t.put("table", nested);
        t.put("empty-table", Map.of());
        t.put("array", array);
        t.put("empty-array", List.of());
        t.put("void", null);
        return t;
    }

    /** Every method record, built with non-default values; bits set in the given alternating phase. */
    public static List<Method> everyMethod(boolean bitPhase) {
        List<Method> out = new ArrayList<>();
        for (Class<?> c : Method.class.getPermittedSubclasses()) {
            out.add(sample(c, bitPhase));
        }
        return out;
    }

    static Method sample(Class<?> c, boolean bitPhase) {
        RecordComponent[] comps = c.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        boolean bit = bitPhase;
        for (int i = 0; i < comps.length; i++) {
            Class<?> t = comps[i].getType();
            types[i] = t;
            String name = comps[i].getName();
            if (t == int.class) {
                args[i] = name.startsWith("version") ? 0xAB - i : 0xBEEF - i;
            } else if (t == long.class) {
                args[i] = 0xFEDCBA98L - i;
            } else if (t == boolean.class) {
                args[i] = bit;
                bit = !bit;
            } else if (t == String.class) {
                args[i] = name + "-välue-" + i;
            } else if (t == byte[].class) {
                args[i] = new byte[] {0, (byte) i, (byte) 0xFF, 'x'};
            } else if (t == Map.class) {
                args[i] = everyFieldType();
            } else {
                throw new AssertionError("unexpected component type " + t);
            }
        }
        try {
            Constructor<?> ctor = c.getDeclaredConstructor(types);
            return (Method) ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** equals that compares byte[] by content, also inside records, maps and lists. */
    public static boolean deepEquals(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (a instanceof byte[] x && b instanceof byte[] y) return Arrays.equals(x, y);
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !deepEquals(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!deepEquals(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a.getClass().isRecord() && a.getClass() == b.getClass()) {
            for (RecordComponent rc : a.getClass().getRecordComponents()) {
                try {
                    if (!deepEquals(rc.getAccessor().invoke(a), rc.getAccessor().invoke(b))) return false;
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            return true;
        }
        if (a.getClass().isArray() && b.getClass().isArray()) {
            int n = Array.getLength(a);
            if (n != Array.getLength(b)) return false;
            for (int i = 0; i < n; i++) if (!deepEquals(Array.get(a, i), Array.get(b, i))) return false;
            return true;
        }
        return Objects.equals(a, b);
    }

    public static BasicProperties everyProperty() {
        return new BasicProperties("application/json", "gzip", everyFieldType(), 2, 9, "corr-1", "reply.q",
                "60000", "msg-42", 1_700_000_123L, "order.created", "guest", "app-ü", "cluster-x");
    }
}
