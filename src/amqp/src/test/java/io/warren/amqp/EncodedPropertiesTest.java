package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.frame.FrameParser;
import io.warren.amqp.method.BasicDeliver;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Properties kept as published: what the rules read from the bytes equals the full decoding, and a content header
 * goes out byte for byte as it came in, also in forms Warren's own encoder would not write.
 */
class EncodedPropertiesTest {

    /** Property {@code i} (0 = content-type ... 13 = cluster-id) of {@code all} if bit i of mask is set. */
    private static BasicProperties subset(BasicProperties all, int mask) {
        return new BasicProperties(
                (mask & 1) != 0 ? all.contentType() : null,
                (mask & 2) != 0 ? all.contentEncoding() : null,
                (mask & 4) != 0 ? all.headers() : null,
                (mask & 8) != 0 ? all.deliveryMode() : null,
                (mask & 16) != 0 ? all.priority() : null,
                (mask & 32) != 0 ? all.correlationId() : null,
                (mask & 64) != 0 ? all.replyTo() : null,
                (mask & 128) != 0 ? all.expiration() : null,
                (mask & 256) != 0 ? all.messageId() : null,
                (mask & 512) != 0 ? all.timestamp() : null,
                (mask & 1024) != 0 ? all.type() : null,
                (mask & 2048) != 0 ? all.userId() : null,
                (mask & 4096) != 0 ? all.appId() : null,
                (mask & 8192) != 0 ? all.clusterId() : null);
    }

    private static void assertReadsAs(BasicProperties p, EncodedProperties e) {
        assertEquals(p.deliveryMode(), e.deliveryMode());
        assertEquals(p.persistent(), e.persistent());
        assertEquals(p.priority(), e.priority());
        assertEquals(p.replyTo(), e.replyTo());
        assertEquals(p.expiration(), e.expiration());
        assertEquals(p.userId(), e.userId());
        // equals first: deepEquals (byte[] values by content) is reflective and slow over 16384 rounds
        assertTrue(Objects.equals(p.headers(), e.headers()) || Samples.deepEquals(p.headers(), e.headers()),
                () -> p.headers() + " vs " + e.headers());
        assertTrue(p.equals(e.decoded()) || Samples.deepEquals(p, e.decoded()), () -> p + " vs " + e.decoded());
    }

    @Test
    void everySetOfPropertiesReadsFromTheBytesAsItsFullDecoding() {
        // a small table keeps 16384 rounds quick; every field type is in unusualPropertyParts
        BasicProperties all = Samples.everyProperty().withHeaders(Map.of("n", 1, "CC", List.of("k")));
        for (int mask = 0; mask < 1 << 14; mask++) {
            BasicProperties p = subset(all, mask);
            ByteString bytes = ContentHeaders.encode(p);
            EncodedProperties parsed = EncodedProperties.parse(WireReader.of(bytes), bytes);
            EncodedProperties stored = EncodedProperties.read(bytes);
            EncodedProperties made = EncodedProperties.of(p);
            for (EncodedProperties e : List.of(parsed, stored, made)) {
                assertEquals(bytes, e.bytes());
                assertReadsAs(p, e);
            }
            assertEquals(parsed, stored);
            assertEquals(parsed, made);
            assertEquals(parsed.hashCode(), made.hashCode());
        }
    }

    @Test
    void noPropertiesIsTheSharedEmptyForm() {
        assertSame(EncodedProperties.EMPTY, EncodedProperties.of(null));
        assertSame(EncodedProperties.EMPTY, EncodedProperties.of(BasicProperties.EMPTY));
        assertSame(EncodedProperties.EMPTY, EncodedProperties.read(ByteString.fromArray(new byte[2])));
        assertEquals(BasicProperties.EMPTY, EncodedProperties.EMPTY.decoded());
        assertNull(EncodedProperties.EMPTY.headers());
    }

    // ---- byte-exact through parser and encoder ----

    private static final int CONTINUATION = 1;
    private static final int DELIVERY_MODE = 1 << 12, PRIORITY = 1 << 11, EXPIRATION = 1 << 8, HEADERS = 1 << 13,
            USER_ID = 1 << 4, REPLY_TO = 1 << 9, CORRELATION_ID = 1 << 10, MESSAGE_ID = 1 << 7;

    /** A content header frame on channel 1 for class 60 whose property part is {@code props}. */
    private static ByteString headerFrame(long bodySize, ByteString props) {
        WireWriter w = new WireWriter(64);
        w.writeOctet(2);
        w.writeShort(1);
        w.writeInt(12 + props.length());
        w.writeShort(60);
        w.writeShort(0);
        w.writeLongLong(bodySize);
        w.writeBytes(props);
        w.writeOctet(0xCE);
        return w.toByteString();
    }

    private static ContentHeaderFrame parseOne(ByteString frame) {
        FrameParser parser = new FrameParser(0);
        parser.feed(FrameEncoder.protocolHeader());
        List<Frame> frames = parser.feed(frame);
        assertEquals(1, frames.size());
        return (ContentHeaderFrame) frames.get(0);
    }

    /** Property parts a client may send that Warren's encoder would write differently (or not at all). */
    static List<ByteString> unusualPropertyParts() {
        WireWriter continued = new WireWriter(32);        // an empty second flag word
        continued.writeShort(DELIVERY_MODE | EXPIRATION | CONTINUATION);
        continued.writeShort(0);
        continued.writeOctet(2);
        continued.writeShortStr("5000");
        WireWriter twoMore = new WireWriter(32);          // two empty continuation words
        twoMore.writeShort(PRIORITY | CONTINUATION);
        twoMore.writeShort(CONTINUATION);
        twoMore.writeShort(0);
        twoMore.writeOctet(7);
        WireWriter reservedBit = new WireWriter(32);      // bit 1: no property, ignored as by RabbitMQ's decoder
        reservedBit.writeShort(USER_ID | 2);
        reservedBit.writeShortStr("guest");
        WireWriter emptyTable = new WireWriter(32);       // headers present and empty; reply-to and user-id empty
        emptyTable.writeShort(HEADERS | REPLY_TO | USER_ID);
        emptyTable.writeInt(0);
        emptyTable.writeOctet(0);
        emptyTable.writeOctet(0);
        WireWriter binaryIds = new WireWriter(32);        // ids that are not UTF-8: decoding makes them U+FFFD
        binaryIds.writeShort(CORRELATION_ID | MESSAGE_ID);
        binaryIds.writeOctet(3);
        binaryIds.writeBytes(new byte[] {(byte) 0xFF, 0, (byte) 0xC3});
        binaryIds.writeOctet(2);
        binaryIds.writeBytes(new byte[] {(byte) 0x80, 'm'});
        WireWriter every = new WireWriter(512);
        every.writeShort(0xFFFC | CONTINUATION);          // every property, and a continuation word
        every.writeShort(0);
        BasicProperties p = Samples.everyProperty();
        ByteString canonical = ContentHeaders.encode(p);
        every.writeBytes(canonical.drop(2));
        return List.of(continued.toByteString(), twoMore.toByteString(), reservedBit.toByteString(),
                emptyTable.toByteString(), every.toByteString(), binaryIds.toByteString());
    }

    @Test
    void aContentHeaderGoesOutByteForByteAsItCameIn() {
        for (ByteString props : unusualPropertyParts()) {
            ByteString frame = headerFrame(3, props);
            ContentHeaderFrame h = parseOne(frame);
            assertEquals(props, h.properties().bytes());
            assertEquals(frame, FrameEncoder.encode(h));
            // a delivery writes them unchanged into its header frame, right after class, weight and body size
            ByteString delivery = FrameEncoder.content(1, new BasicDeliver("ctag", 1, false, "x", "k"),
                    h.properties(), ByteString.fromString("abc"), 4096);
            assertTrue(delivery.indexOfSlice(frame) > 0, "delivery carries the header frame as it came in");
            // what the rules read equals the full decoding
            assertReadsAs(h.properties().decoded(), h.properties());
            assertReadsAs(h.properties().decoded(), EncodedProperties.read(props));
            assertEquals(h.properties(), EncodedProperties.read(props));
        }
        // Decoding and encoding again (what Warren did before) changes all of them but the empty-table one:
        // keeping the bytes is what keeps them.
        List<ByteString> parts = unusualPropertyParts();
        for (int i = 0; i < parts.size(); i++) {
            ByteString reencoded = ContentHeaders.encode(ContentHeaders.decode(parts.get(i)));
            if (i == 3) assertEquals(parts.get(i), reencoded);
            else assertNotEquals(parts.get(i), reencoded, "part " + i);
        }
        EncodedProperties continued = parseOne(headerFrame(0, unusualPropertyParts().get(0))).properties();
        assertEquals(2, continued.deliveryMode());
        assertTrue(continued.persistent());
        assertEquals("5000", continued.expiration());
        assertEquals(7, parseOne(headerFrame(0, unusualPropertyParts().get(1))).properties().priority());
        EncodedProperties empties = parseOne(headerFrame(0, unusualPropertyParts().get(3))).properties();
        assertEquals(Map.of(), empties.headers());
        assertEquals("", empties.replyTo());
        assertEquals("", empties.userId());
    }

    @Test
    void aWrongPropertyPartIsAFrameErrorFoundAtParseTime() {
        WireWriter unknownFlag = new WireWriter(8);
        unknownFlag.writeShort(CONTINUATION);
        unknownFlag.writeShort(1 << 15);
        WireWriter shortString = new WireWriter(8);
        shortString.writeShort(EXPIRATION);
        shortString.writeOctet(9);
        shortString.writeBytes(new byte[] {'1', '2'});
        WireWriter badTable = new WireWriter(16);
        badTable.writeShort(HEADERS);
        badTable.writeInt(5);
        badTable.writeBytes(new byte[] {1, 'a', 'Z', 0, 0});      // key "a", unknown field type 'Z'
        WireWriter trailing = new WireWriter(8);
        trailing.writeShort(DELIVERY_MODE);
        trailing.writeOctet(2);
        trailing.writeOctet(0);
        for (WireWriter w : List.of(unknownFlag, shortString, badTable, trailing)) {
            ByteString props = w.toByteString();
            // the parser hands the error to the channel, which reports it after checking a header may come (505 first)
            AmqpException e = parseOne(headerFrame(0, props)).undecodable();
            assertNotNull(e, props::toString);
            assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
        }
        // stored bytes are checked for structure too (the table's contents were checked when published)
        for (WireWriter w : List.of(unknownFlag, shortString, trailing)) {
            ByteString props = w.toByteString();
            assertThrows(AmqpException.class, () -> EncodedProperties.read(props), props::toString);
        }
        WireWriter tableTooLong = new WireWriter(16);
        tableTooLong.writeShort(HEADERS);
        tableTooLong.writeInt(100);
        assertThrows(AmqpException.class, () -> EncodedProperties.read(tableTooLong.toByteString()));
    }
}
