package io.warren.amqp;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FieldTablesTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    /** The table {"k": value} as RabbitMQ would encode it: size, 1-byte key length, key, tag, value. */
    private static ByteString single(int tag, int... value) {
        byte[] out = new byte[4 + 2 + 1 + value.length];
        int size = out.length - 4;
        out[3] = (byte) size;
        out[4] = 1;
        out[5] = 'k';
        out[6] = (byte) tag;
        for (int i = 0; i < value.length; i++) out[7 + i] = (byte) value[i];
        return ByteString.fromArray(out);
    }

    private static Map<String, Object> k(Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", v);
        return m;
    }

    @Test
    void eachTypeHasTheWireLayoutRabbitMqUses() {
        assertEquals(single('t', 1), FieldTables.encode(k(true)));
        assertEquals(single('b', 0xFE), FieldTables.encode(k((byte) -2)));
        assertEquals(single('B', 0xFE), FieldTables.encode(k(new FieldValues.UnsignedByte(254))));
        assertEquals(single('s', 0xFF, 0xFE), FieldTables.encode(k((short) -2)));
        assertEquals(single('u', 0xFF, 0xFE), FieldTables.encode(k(new FieldValues.UnsignedShort(65534))));
        assertEquals(single('I', 0xFF, 0xFF, 0xFF, 0xFE), FieldTables.encode(k(-2)));
        assertEquals(single('i', 0xFF, 0xFF, 0xFF, 0xFE), FieldTables.encode(k(new FieldValues.UnsignedInt(0xFFFFFFFEL))));
        assertEquals(single('l', 0, 0, 0, 0, 0, 0, 1, 0), FieldTables.encode(k(256L)));
        assertEquals(single('L', 0, 0, 0, 0, 0, 0, 1, 0), FieldTables.encode(k(new FieldValues.UnsignedLong(256L))));
        assertEquals(single('f', 0x3F, 0x80, 0, 0), FieldTables.encode(k(1.0f)));
        assertEquals(single('d', 0x3F, 0xF0, 0, 0, 0, 0, 0, 0), FieldTables.encode(k(1.0)));
        // 1.50 = unscaled 150, scale 2
        assertEquals(single('D', 2, 0, 0, 0, 150), FieldTables.encode(k(new BigDecimal("1.50"))));
        assertEquals(single('S', 0, 0, 0, 2, 0xC3, 0xA9), FieldTables.encode(k("é")));
        assertEquals(single('x', 0, 0, 0, 1, 7), FieldTables.encode(k(new byte[] {7})));
        assertEquals(single('T', 0, 0, 0, 0, 0, 0, 1, 0), FieldTables.encode(k(Instant.ofEpochSecond(256))));
        assertEquals(single('F', 0, 0, 0, 0), FieldTables.encode(k(Map.of())));
        assertEquals(single('A', 0, 0, 0, 2, 'V', 'V'), FieldTables.encode(k(java.util.Arrays.asList(null, null))));
        assertEquals(single('V'), FieldTables.encode(k(null)));
    }

    @Test
    void everyTypeRoundTripsByteExact() {
        Map<String, Object> table = Samples.everyFieldType();
        ByteString encoded = FieldTables.encode(table);
        Map<String, Object> decoded = FieldTables.decode(encoded);
        assertTrue(Samples.deepEquals(table, decoded), () -> table + "\n" + decoded);
        assertEquals(new ArrayList<>(table.keySet()), new ArrayList<>(decoded.keySet()), "wire order kept");
        assertEquals(encoded, FieldTables.encode(decoded));
        // Decoded types keep their tags
        assertInstanceOf(FieldValues.UnsignedByte.class, decoded.get("ubyte"));
        assertInstanceOf(Short.class, decoded.get("short"));
        assertInstanceOf(BigDecimal.class, decoded.get("decimal"));
        assertEquals(new BigDecimal("-123.45"), decoded.get("decimal"));
        assertEquals(new BigDecimal("0.0000000001"), decoded.get("decimal-big-scale"));
        assertInstanceOf(Instant.class, decoded.get("timestamp"));
    }

    @Test
    void decodedTablesAndArraysAreUnmodifiable() {
        Map<String, Object> decoded = FieldTables.decode(FieldTables.encode(Samples.everyFieldType()));
        assertThrows(UnsupportedOperationException.class, () -> decoded.put("x", 1));
        @SuppressWarnings("unchecked") List<Object> array = (List<Object>) decoded.get("array");
        assertThrows(UnsupportedOperationException.class, () -> array.add(1));
        @SuppressWarnings("unchecked") Map<String, Object> nested = (Map<String, Object>) decoded.get("table");
        assertThrows(UnsupportedOperationException.class, () -> nested.clear());
    }

    @Test
    void arraysRoundTrip() {
        List<Object> array = new ArrayList<>(List.of(1, "a", 2.5, new FieldValues.UnsignedShort(7)));
        array.add(null);
        ByteString encoded = FieldTables.encodeArray(array);
        assertEquals(array, FieldTables.decodeArray(encoded));
        assertEquals(encoded, FieldTables.encodeArray(FieldTables.decodeArray(encoded)));
    }

    @Test
    void plainJavaValuesGetTheJavaClientsTags() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", new Date(5_000L));
        m.put("objects", new Object[] {1, "x"});
        m.put("chars", new StringBuilder("sb"));
        Map<String, Object> decoded = FieldTables.decode(FieldTables.encode(m));
        assertEquals(Instant.ofEpochSecond(5), decoded.get("date"));
        assertEquals(List.of(1, "x"), decoded.get("objects"));
        assertEquals("sb", decoded.get("chars"));
    }

    @Test
    void negativeScaleDecimalIsNormalised() {
        Map<String, Object> decoded = FieldTables.decode(FieldTables.encode(k(new BigDecimal("1E+3"))));
        assertEquals(0, new BigDecimal(1000).compareTo((BigDecimal) decoded.get("k")));
    }

    @Test
    void unencodableValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> FieldTables.encode(k(new Object())));
        assertThrows(IllegalArgumentException.class, () -> FieldTables.encode(k(new BigDecimal("1e-300"))));
        assertThrows(IllegalArgumentException.class, () -> FieldTables.encode(k(new BigDecimal("99999999999"))));
        Map<String, Object> longKey = new HashMap<>();
        longKey.put("x".repeat(256), 1);
        assertThrows(IllegalArgumentException.class, () -> FieldTables.encode(longKey));
    }

    @Test
    void malformedTablesAreFrameErrors() {
        for (ByteString bad : List.of(
                single('Z', 0),                                         // unknown tag
                single('S', 0, 0, 0, 9, 'a'),                           // string longer than table
                ByteString.fromArray(bytes(0, 0, 0, 9, 1)),             // table size beyond input
                ByteString.fromArray(bytes(0, 0, 0, 2, 5, 'a')),        // key longer than table
                single('T', 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), // timestamp beyond Instant
                single('I', 0, 0))) {                                   // truncated int
            AmqpException e = assertThrows(AmqpException.class, () -> FieldTables.decode(bad), bad::toString);
            assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
            assertTrue(e.connectionLevel());
        }
    }

    @Test
    void deepNestingIsRejectedNotAStackOverflow() {
        // 10 000 nested arrays: each 'A' + size wrapping the next
        int depth = 10_000;
        byte[] b = new byte[4 + depth * 5];
        int inner = 0;
        for (int i = depth - 1; i >= 0; i--) {
            int at = 4 + i * 5;
            b[at] = 'A';
            b[at + 1] = (byte) (inner >>> 24);
            b[at + 2] = (byte) (inner >>> 16);
            b[at + 3] = (byte) (inner >>> 8);
            b[at + 4] = (byte) inner;
            inner += 5;
        }
        b[0] = (byte) (inner >>> 24);
        b[1] = (byte) (inner >>> 16);
        b[2] = (byte) (inner >>> 8);
        b[3] = (byte) inner;
        assertThrows(AmqpException.class, () -> FieldTables.decodeArray(ByteString.fromArray(b)));
    }
}
