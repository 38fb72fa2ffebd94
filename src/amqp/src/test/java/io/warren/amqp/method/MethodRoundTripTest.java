package io.warren.amqp.method;

import io.warren.amqp.Samples;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.frame.FrameParser;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.frame.ProtocolHeader;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class MethodRoundTripTest {

    private static Method roundTrip(int channel, Method m) {
        ByteString wire = FrameEncoder.method(channel, m);
        FrameParser parser = new FrameParser(0);
        List<Frame> frames = parser.feed(FrameEncoder.protocolHeader().concat(wire));
        assertEquals(2, frames.size());
        assertInstanceOf(ProtocolHeader.class, frames.get(0));
        MethodFrame f = (MethodFrame) frames.get(1);
        assertEquals(channel, f.channel());
        assertEquals(wire, FrameEncoder.method(channel, f.method()), "re-encoding is byte-exact: " + m.name());
        return f.method();
    }

    @Test
    void everyMethodRoundTripsInBothBitPhases() {
        for (boolean phase : new boolean[] {true, false}) {
            for (Method m : Samples.everyMethod(phase)) {
                Method back = roundTrip(65535, m);
                assertTrue(Samples.deepEquals(m, back), () -> m + "\n" + back);
            }
        }
    }

    @Test
    void everySpecMethodHasARecordWithItsIdsAndName() {
        List<Method> all = Samples.everyMethod(true);
        // connection 14, channel 6, access 2, exchange 8, queue 10, basic 18, tx 6, confirm 2
        assertEquals(66, all.size());
        Set<Integer> ids = new HashSet<>();
        for (Method m : all) {
            assertTrue(ids.add((m.classId() << 16) | m.methodId()), "duplicate ids " + m.name());
            assertEquals(m.name(), MethodDecoder.nameOf(m.classId(), m.methodId()));
            String expectedName = m.getClass().getSimpleName();
            String camel = toCamel(m.name());
            assertEquals(camel, expectedName);
            boolean content = Set.of("basic.publish", "basic.return", "basic.deliver", "basic.get-ok").contains(m.name());
            assertEquals(content, m.hasContent(), m.name());
        }
    }

    private static String toCamel(String dotted) {
        StringBuilder sb = new StringBuilder();
        for (String part : dotted.split("[.-]")) sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        return sb.toString();
    }

    @Test
    void knownWireBytesForBasicPublish() {
        // channel 1, basic.publish exchange "ex", routing key "rk", mandatory: class 60 method 40, ticket 0
        ByteString wire = FrameEncoder.method(1, new BasicPublish("ex", "rk", true, false));
        byte[] expected = {1, 0, 1, 0, 0, 0, 13, 0, 60, 0, 40, 0, 0, 2, 'e', 'x', 2, 'r', 'k', 1, (byte) 0xCE};
        assertEquals(ByteString.fromArray(expected), wire);
    }

    @Test
    void unsignedAndExtremeValuesSurvive() {
        BasicDeliver d = new BasicDeliver("ctag", -1L, true, "", "rk");
        assertEquals(d, roundTrip(1, d));
        QueueDeclareOk ok = new QueueDeclareOk("q", 0xFFFFFFFFL, 0L);
        assertEquals(ok, roundTrip(1, ok));
        BasicQos qos = new BasicQos(0xFFFFFFFFL, 65535, true);
        assertEquals(qos, roundTrip(1, qos));
    }

    @Test
    void nullStringsAndTablesEncodeAsEmpty() {
        QueueDeclare q = new QueueDeclare(null, false, false, false, false, false, null);
        assertEquals("", q.queue());
        assertEquals(Map.of(), q.arguments());
        assertEquals(q, roundTrip(1, q));
    }

    @Test
    void closeCarriesTheFailingMethod() {
        var e = new io.warren.amqp.AmqpException(404, "NOT_FOUND - no queue 'q'", 50, 10, false);
        ChannelClose c = ChannelClose.from(e);
        assertEquals(new ChannelClose(404, "NOT_FOUND - no queue 'q'", 50, 10), c);
        assertEquals(20, c.classId());
        assertEquals(40, c.methodId());
    }

    @Test
    void tooLongShortStringIsRejectedOnEncode() {
        assertThrows(IllegalArgumentException.class,
                () -> FrameEncoder.method(1, new QueueDeclare("q".repeat(256), false, false, false, false, false, null)));
    }
}
