package io.warren.broker.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Structural equality for deserialized messages: records field by field, arrays element by element (record
 * equals compares arrays by identity, and header tables may hold byte[]), maps in iteration order (a field
 * table's order is part of its wire form), and exact value classes (a Short header must not come back an Integer).
 */
final class DeepEquality {
    private DeepEquality() {}

    static void assertDeepEquals(Object expected, Object actual) {
        assertDeepEquals(expected, actual, expected == null ? "null" : expected.getClass().getSimpleName());
    }

    static void assertDeepEquals(Object expected, Object actual, String path) {
        if (expected == null) {
            assertNull(actual, path);
            return;
        }
        assertNotNull(actual, path);
        if (expected instanceof Map<?, ?> e) {
            if (!(actual instanceof Map<?, ?> a)) throw new AssertionError(path + ": not a map: " + actual.getClass());
            assertEquals(e.size(), a.size(), path + " size");
            Iterator<? extends Map.Entry<?, ?>> ai = a.entrySet().iterator();
            for (Map.Entry<?, ?> ee : e.entrySet()) {
                Map.Entry<?, ?> ae = ai.next();
                assertEquals(ee.getKey(), ae.getKey(), path + " key order");
                assertDeepEquals(ee.getValue(), ae.getValue(), path + "[" + ee.getKey() + "]");
            }
            return;
        }
        if (expected instanceof List<?> e) {
            if (!(actual instanceof List<?> a)) throw new AssertionError(path + ": not a list: " + actual.getClass());
            assertEquals(e.size(), a.size(), path + " size");
            for (int i = 0; i < e.size(); i++) assertDeepEquals(e.get(i), a.get(i), path + "[" + i + "]");
            return;
        }
        if (expected instanceof org.apache.pekko.util.ByteString e) {
            // Compact, sliced or rope: the representation is free, the bytes are not.
            assertInstanceOf(org.apache.pekko.util.ByteString.class, actual, path);
            assertEquals(e.size(), ((org.apache.pekko.util.ByteString) actual).size(), path + " size");
            assertTrue(e.equals(actual), path + " bytes differ");
            return;
        }
        assertEquals(expected.getClass(), actual.getClass(), path + " class");
        if (expected instanceof byte[] e) {
            assertArrayEquals(e, (byte[]) actual, path);
        } else if (expected.getClass().isArray()) {
            assertEquals(Array.getLength(expected), Array.getLength(actual), path + " length");
            for (int i = 0; i < Array.getLength(expected); i++) {
                assertDeepEquals(Array.get(expected, i), Array.get(actual, i), path + "[" + i + "]");
            }
        } else if (expected.getClass().isRecord()) {
            for (RecordComponent c : expected.getClass().getRecordComponents()) {
                try {
                    c.getAccessor().setAccessible(true);
                    assertDeepEquals(c.getAccessor().invoke(expected), c.getAccessor().invoke(actual), path + "." + c.getName());
                } catch (ReflectiveOperationException ex) {
                    fail(path + "." + c.getName() + ": " + ex);
                }
            }
        } else {
            // Strings, boxed numbers, Instant, BigDecimal (scale included), enums, ByteString (by content), ActorRef.
            assertEquals(expected, actual, path);
        }
    }
}
