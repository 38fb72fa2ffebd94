package io.warren.amqp.frame;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.Samples;
import io.warren.amqp.method.BasicAck;
import io.warren.amqp.method.BasicPublish;
import io.warren.amqp.method.QueueDeclare;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FrameParserTest {

    private static ByteString bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return ByteString.fromArray(b);
    }

    private static FrameParser afterHeader(int frameMax) {
        FrameParser p = new FrameParser(frameMax);
        assertEquals(List.of(new ProtocolHeader()), p.feed(FrameEncoder.protocolHeader()));
        return p;
    }

    private static AmqpException fails(FrameParser p, ByteString input) {
        AmqpException e = assertThrows(AmqpException.class, () -> p.feed(input));
        assertTrue(e.connectionLevel());
        return e;
    }

    @Test
    void protocolHeaderMayArriveByteByByte() {
        FrameParser p = new FrameParser(4096);
        ByteString h = FrameEncoder.protocolHeader();
        for (int i = 0; i < 7; i++) assertEquals(List.of(), p.feed(h.slice(i, i + 1)));
        assertEquals(List.of(new ProtocolHeader()), p.feed(h.slice(7, 8)));
    }

    @Test
    void badProtocolHeaderFailsAtTheFirstWrongByte() {
        FrameParser p = new FrameParser(4096);
        assertEquals(List.of(), p.feed(ByteString.fromString("AM")));
        assertThrows(ProtocolHeaderMismatch.class, () -> p.feed(ByteString.fromString("X")));
        // AMQP 0-9-1 from a 1.0 client
        FrameParser q = new FrameParser(4096);
        assertThrows(ProtocolHeaderMismatch.class, () -> q.feed(bytes('A', 'M', 'Q', 'P', 3, 1, 0, 0)));
        FrameParser http = new FrameParser(4096);
        assertThrows(ProtocolHeaderMismatch.class, () -> http.feed(ByteString.fromString("GET / HTTP/1.1\r\n")));
        // The error sticks: the connection is going away.
        assertThrows(ProtocolHeaderMismatch.class, () -> http.feed(ByteString.fromString("AMQP")));
    }

    @Test
    void framesSplitAnywhereAreReassembled() {
        ByteString body = ByteString.fromString("x".repeat(10_000));
        ByteString stream = FrameEncoder.protocolHeader()
                .concat(FrameEncoder.method(3, new QueueDeclare("q", false, true, false, false, false, Samples.everyFieldType())))
                .concat(FrameEncoder.content(3, new BasicPublish("", "q", false, false), Samples.everyProperty(), body, 4096))
                .concat(FrameEncoder.heartbeat())
                .concat(FrameEncoder.method(3, new BasicAck(7, true)));
        List<Frame> whole = new FrameParser(4096).feed(stream);
        for (int step : new int[] {1, 2, 3, 7, 8, 100, 4095, 4096, 4097}) {
            FrameParser p = new FrameParser(4096);
            List<Frame> got = new ArrayList<>();
            for (int i = 0; i < stream.length(); i += step) got.addAll(p.feed(stream.slice(i, Math.min(stream.length(), i + step))));
            assertTrue(Samples.deepEquals(whole, got), "step " + step);
            assertEquals(0, p.buffered());
        }
        // header, declare, publish, content header, 3 bodies, heartbeat, ack
        assertEquals(9, whole.size());
        assertInstanceOf(HeartbeatFrame.class, whole.get(7));
        assertEquals(new MethodFrame(3, new BasicAck(7, true)), whole.get(8));
        ContentHeaderFrame h = (ContentHeaderFrame) whole.get(3);
        assertEquals(10_000, h.bodySize());
        assertEquals(60, h.classId());
        assertTrue(Samples.deepEquals(Samples.everyProperty(), h.properties().decoded()));
        ByteString reassembled = ByteString.emptyByteString();
        for (int i = 4; i < 7; i++) reassembled = reassembled.concat(((ContentBodyFrame) whole.get(i)).payload());
        assertEquals(body, reassembled);
    }

    @Test
    void frameLargerThanFrameMaxIsRejectedFromTheHeaderAlone() {
        FrameParser p = afterHeader(4096);
        // type 3, channel 1, size 4097: no payload sent yet
        AmqpException e = fails(p, bytes(3, 0, 1, 0, 0, 0x10, 0x01));
        assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
        // a payload of exactly frame-max is tolerated, as RabbitMQ does
        FrameParser q = afterHeader(4096);
        ByteString ok = bytes(3, 0, 1, 0, 0, 0x10, 0x00).concat(ByteString.fromArray(new byte[4096])).concat(bytes(0xCE));
        assertEquals(1, q.feed(ok).size());
    }

    @Test
    void hugeClaimedSizeIsRejectedNotAllocated() {
        FrameParser p = afterHeader(131072);
        assertEquals(ReplyCodes.FRAME_ERROR, fails(p, bytes(1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)).replyCode());
        FrameParser unlimited = afterHeader(0);
        assertEquals(ReplyCodes.FRAME_ERROR, fails(unlimited, bytes(1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)).replyCode());
    }

    @Test
    void frameMaxZeroMeansUnlimited() {
        FrameParser p = afterHeader(0);
        ByteString body = ByteString.fromArray(new byte[1 << 20]);
        List<Frame> frames = p.feed(FrameEncoder.encode(new ContentBodyFrame(1, body)));
        assertEquals(body, ((ContentBodyFrame) frames.get(0)).payload());
    }

    @Test
    void setFrameMaxAppliesToLaterFrames() {
        FrameParser p = afterHeader(0);
        p.setFrameMax(4096);
        assertEquals(ReplyCodes.FRAME_ERROR, fails(p, bytes(3, 0, 1, 0, 1, 0, 0)).replyCode());
    }

    @Test
    void badFrameEndIsAFrameError() {
        FrameParser p = afterHeader(4096);
        ByteString good = FrameEncoder.method(1, new BasicAck(1, false));
        ByteString bad = good.take(good.length() - 1).concat(bytes(0xCD));
        assertEquals(ReplyCodes.FRAME_ERROR, fails(p, bad).replyCode());
    }

    @Test
    void unknownFrameTypeIsAFrameError() {
        assertEquals(ReplyCodes.FRAME_ERROR, fails(afterHeader(4096), bytes(4, 0, 0, 0, 0, 0, 0, 0xCE)).replyCode());
        assertEquals(ReplyCodes.FRAME_ERROR, fails(afterHeader(4096), bytes(0, 0, 0, 0, 0, 0, 0, 0xCE)).replyCode());
    }

    @Test
    void unknownClassOrMethodIsNotImplemented() {
        AmqpException e = fails(afterHeader(4096), bytes(1, 0, 1, 0, 0, 0, 4, 0, 99, 0, 10, 0xCE));
        assertEquals(ReplyCodes.NOT_IMPLEMENTED, e.replyCode());
        assertEquals(99, e.classId());
        AmqpException m = fails(afterHeader(4096), bytes(1, 0, 1, 0, 0, 0, 4, 0, 60, 0, 99, 0xCE));
        assertEquals(ReplyCodes.NOT_IMPLEMENTED, m.replyCode());
        assertEquals(60, m.classId());
        assertEquals(99, m.methodId());
    }

    @Test
    void truncatedOrOverlongArgumentsAreFrameErrorsNamingTheMethod() {
        ByteString good = FrameEncoder.method(1, new BasicAck(1, false));
        // drop the bits octet: payload 4 + 8 instead of 4 + 9
        ByteString truncated = bytes(1, 0, 1, 0, 0, 0, 12).concat(good.slice(7, 19)).concat(bytes(0xCE));
        AmqpException e = fails(afterHeader(4096), truncated);
        assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
        assertEquals(60, e.classId());
        assertEquals(80, e.methodId());
        ByteString overlong = bytes(1, 0, 1, 0, 0, 0, 14).concat(good.slice(7, 20)).concat(bytes(0, 0xCE));
        AmqpException o = fails(afterHeader(4096), overlong);
        assertEquals(ReplyCodes.FRAME_ERROR, o.replyCode());
        assertEquals(80, o.methodId());
        // a method payload too short to hold class and method ids
        assertEquals(ReplyCodes.FRAME_ERROR, fails(afterHeader(4096), bytes(1, 0, 1, 0, 0, 0, 2, 0, 60, 0xCE)).replyCode());
    }

    @Test
    void malformedUtf8InAShortStringIsAFrameError() {
        // queue.delete (50, 40): ticket, queue "\xFF", bits
        ByteString bad = bytes(1, 0, 1, 0, 0, 0, 9, 0, 50, 0, 40, 0, 0, 1, 0xFF, 0, 0xCE);
        AmqpException e = fails(afterHeader(4096), bad);
        assertEquals(ReplyCodes.FRAME_ERROR, e.replyCode());
        assertEquals(50, e.classId());
    }

    @Test
    void heartbeatRules() {
        assertEquals(List.of(new HeartbeatFrame()), afterHeader(4096).feed(FrameEncoder.heartbeat()));
        // RabbitMQ: a heartbeat on a channel is an unexpected frame, a heartbeat with payload an unknown one
        assertEquals(ReplyCodes.UNEXPECTED_FRAME, fails(afterHeader(4096), bytes(8, 0, 1, 0, 0, 0, 0, 0xCE)).replyCode());
        assertEquals(ReplyCodes.FRAME_ERROR, fails(afterHeader(4096), bytes(8, 0, 0, 0, 0, 0, 1, 0, 0xCE)).replyCode());
    }

    @Test
    void shortContentHeaderIsAFrameError() {
        assertEquals(ReplyCodes.FRAME_ERROR, fails(afterHeader(4096), bytes(2, 0, 1, 0, 0, 0, 4, 0, 60, 0, 0, 0xCE)).replyCode());
    }

    @Test
    void contentHeaderOfAnotherClassHasNoProperties() {
        ByteString h = FrameEncoder.encode(new ContentHeaderFrame(1, 50, 5, BasicProperties.EMPTY));
        ContentHeaderFrame f = (ContentHeaderFrame) afterHeader(4096).feed(h).get(0);
        assertEquals(50, f.classId());
        assertEquals(BasicProperties.EMPTY, f.properties().decoded());
    }

    /** RabbitMQ decodes properties only for a publish that expects the header: the error travels with the frame. */
    @Test
    void contentHeaderWhosePropertiesDoNotDecodeCarriesTheFrameError() {
        // class 60, weight 0, body size 5, property flags announcing headers, and no headers table after them
        ContentHeaderFrame f = (ContentHeaderFrame) afterHeader(4096).feed(
                bytes(2, 0, 1, 0, 0, 0, 14, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x20, 0x00, 0xCE)).get(0);
        assertEquals(60, f.classId());
        assertEquals(5, f.bodySize());
        assertEquals(ReplyCodes.FRAME_ERROR, f.undecodable().replyCode());
        ContentHeaderFrame noFlags = (ContentHeaderFrame) afterHeader(4096).feed(
                bytes(2, 0, 1, 0, 0, 0, 12, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0xCE)).get(0);
        assertEquals(ReplyCodes.FRAME_ERROR, noFlags.undecodable().replyCode());
    }
}
