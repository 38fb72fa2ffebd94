package io.warren.amqp;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ContentHeadersTest {

    @Test
    void allPropertiesRoundTripByteExact() {
        BasicProperties p = Samples.everyProperty();
        ByteString encoded = ContentHeaders.encode(p);
        BasicProperties decoded = ContentHeaders.decode(encoded);
        assertTrue(Samples.deepEquals(p, decoded), () -> p + "\n" + decoded);
        assertEquals(encoded, ContentHeaders.encode(decoded));
        assertEquals(0xFFFC, ((encoded.apply(0) & 0xFF) << 8) | (encoded.apply(1) & 0xFF), "14 flags set");
    }

    @Test
    void eachPropertyAloneSetsItsOwnFlagBit() throws Exception {
        BasicProperties all = Samples.everyProperty();
        RecordComponent[] comps = BasicProperties.class.getRecordComponents();
        for (int i = 0; i < comps.length; i++) {
            Object[] args = new Object[comps.length];
            args[i] = comps[i].getAccessor().invoke(all);
            Class<?>[] types = new Class<?>[comps.length];
            for (int j = 0; j < comps.length; j++) types[j] = comps[j].getType();
            BasicProperties one = BasicProperties.class.getDeclaredConstructor(types).newInstance(args);
            ByteString encoded = ContentHeaders.encode(one);
            int flags = ((encoded.apply(0) & 0xFF) << 8) | (encoded.apply(1) & 0xFF);
            assertEquals(1 << (15 - i), flags, comps[i].getName());
            assertTrue(Samples.deepEquals(one, ContentHeaders.decode(encoded)), comps[i].getName());
        }
    }

    @Test
    void emptyPropertiesAreAZeroFlagWord() {
        assertEquals(ByteString.fromArray(new byte[2]), ContentHeaders.encode(BasicProperties.EMPTY));
        assertEquals(BasicProperties.EMPTY, ContentHeaders.decode(ByteString.fromArray(new byte[2])));
    }

    @Test
    void continuationFlagWordsAreSkippedWhenEmpty() {
        // content-type set, continuation bit set, then an empty second flag word, then the value
        byte[] b = {(byte) 0x80, 0x01, 0x00, 0x00, 2, 'a', 'b'};
        BasicProperties p = ContentHeaders.decode(ByteString.fromArray(b));
        assertEquals("ab", p.contentType());
        byte[] unknownFlag = {(byte) 0x80, 0x01, (byte) 0x80, 0x00, 2, 'a', 'b'};
        AmqpException e = assertThrows(AmqpException.class, () -> ContentHeaders.decode(ByteString.fromArray(unknownFlag)));
        assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
    }

    @Test
    void truncatedPropertiesAreFrameErrors() {
        ByteString full = ContentHeaders.encode(Samples.everyProperty());
        for (int cut = 0; cut < full.length(); cut += 7) {
            ByteString part = full.take(cut);
            AmqpException e = assertThrows(AmqpException.class, () -> ContentHeaders.decode(part));
            assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
        }
    }

    @Test
    void headersKeepTheirTypes() {
        BasicProperties p = BasicProperties.EMPTY.withHeaders(Map.of("x-count", (short) 3));
        assertEquals((short) 3, ContentHeaders.decode(ContentHeaders.encode(p)).headers().get("x-count"));
    }
}
