package io.warren.amqp.frame;

import io.warren.amqp.BasicProperties;
import io.warren.amqp.ContentHeaders;
import io.warren.amqp.Samples;
import io.warren.amqp.method.BasicDeliver;
import io.warren.amqp.method.BasicPublish;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FrameEncoderTest {

    private static List<Frame> parse(ByteString wire, int frameMax) {
        List<Frame> frames = new FrameParser(frameMax).feed(FrameEncoder.protocolHeader().concat(wire));
        return frames.subList(1, frames.size());
    }

    @Test
    void fixedFrames() {
        assertEquals(ByteString.fromArray(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1}), FrameEncoder.protocolHeader());
        assertEquals(ByteString.fromArray(new byte[] {8, 0, 0, 0, 0, 0, 0, (byte) 0xCE}), FrameEncoder.heartbeat());
        assertEquals(FrameEncoder.heartbeat(), FrameEncoder.encode(new HeartbeatFrame()));
    }

    @Test
    void emptyBodyHasNoBodyFrame() {
        ByteString wire = FrameEncoder.content(1, new BasicPublish("x", "k", false, false), BasicProperties.EMPTY,
                ByteString.emptyByteString(), 4096);
        List<Frame> frames = parse(wire, 4096);
        assertEquals(2, frames.size());
        assertEquals(0, ((ContentHeaderFrame) frames.get(1)).bodySize());
    }

    @Test
    void bodyIsSplitAtFrameMaxMinusEight() {
        int frameMax = 4096;
        for (int size : new int[] {1, 255, 256, 257, 4087, 4088, 4089, 8176, 8177, 20_000}) {
            ByteString body = randomBody(size);
            ByteString wire = FrameEncoder.content(5, new BasicDeliver("c", 9, false, "e", "k"),
                    Samples.everyProperty(), body, frameMax);
            List<Frame> frames = parse(wire, frameMax);
            int expectedBodyFrames = (size + 4087) / 4088;
            assertEquals(2 + expectedBodyFrames, frames.size(), "size " + size);
            ByteString joined = ByteString.emptyByteString();
            for (Frame f : frames.subList(2, frames.size())) {
                ContentBodyFrame b = (ContentBodyFrame) f;
                assertEquals(5, b.channel());
                assertTrue(b.payload().length() <= frameMax - 8);
                joined = joined.concat(b.payload());
            }
            assertEquals(body, joined, "size " + size);
            // The same bytes when the properties come pre-encoded.
            assertEquals(wire, FrameEncoder.content(5, new BasicDeliver("c", 9, false, "e", "k"),
                    ContentHeaders.encode(Samples.everyProperty()), body, frameMax));
            // ...and when each frame is encoded on its own.
            ByteString oneByOne = ByteString.emptyByteString();
            for (Frame f : frames) oneByOne = oneByOne.concat(FrameEncoder.encode(f));
            assertEquals(wire, oneByOne);
        }
    }

    @Test
    void tenMegabyteBodyIsLinkedNotCopied() {
        ByteString body = randomBody(10 * 1024 * 1024);
        long t0 = System.nanoTime();
        ByteString wire = FrameEncoder.content(1, new BasicPublish("", "q", false, false), BasicProperties.EMPTY, body, 131072);
        long encodeNanos = System.nanoTime() - t0;
        int frames = (body.length() + 131063) / 131064;
        // Frame headers and the method/header frames only: the body itself is not in the new bytes.
        assertEquals(body.length() + 8L * frames + 40, wire.length(), "wire size is body + framing");
        assertTrue(encodeNanos < 500_000_000L, "encoding 10 MB took " + encodeNanos / 1_000_000 + " ms");
        List<Frame> parsed = new FrameParser(131072).feed(FrameEncoder.protocolHeader().concat(wire));
        assertEquals(2 + 1 + frames, parsed.size());
        ByteString joined = ByteString.emptyByteString();
        for (Frame f : parsed.subList(3, parsed.size())) joined = joined.concat(((ContentBodyFrame) f).payload());
        assertEquals(body, joined);
    }

    @Test
    void frameMaxZeroSendsOneBodyFrame() {
        ByteString body = randomBody(100_000);
        List<Frame> frames = parse(FrameEncoder.content(1, new BasicPublish("", "q", false, false),
                BasicProperties.EMPTY, body, 0), 0);
        assertEquals(3, frames.size());
        assertEquals(body, ((ContentBodyFrame) frames.get(2)).payload());
    }

    private static ByteString randomBody(int size) {
        byte[] b = new byte[size];
        new java.util.Random(size).nextBytes(b);
        return ByteString.fromArrayUnsafe(b);
    }
}
