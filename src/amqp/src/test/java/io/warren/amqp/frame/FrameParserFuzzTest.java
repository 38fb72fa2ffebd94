package io.warren.amqp.frame;

import io.warren.amqp.AmqpException;
import io.warren.amqp.Samples;
import io.warren.amqp.method.BasicPublish;
import io.warren.amqp.method.Method;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random and mutated-valid input after a valid protocol header, fed in random chunk sizes: the parser may only
 * ever answer with frames or an AmqpException, never another exception, and never allocate for a claimed size.
 */
class FrameParserFuzzTest {
    private static final long SEED = 0x5EED_AB1EL;

    private static List<ByteString> validFrames() {
        List<ByteString> frames = new ArrayList<>();
        for (boolean phase : new boolean[] {true, false}) {
            for (Method m : Samples.everyMethod(phase)) frames.add(FrameEncoder.method(1, m));
        }
        frames.add(FrameEncoder.content(2, new BasicPublish("ex", "rk", true, false), Samples.everyProperty(),
                ByteString.fromString("body".repeat(300)), 512));
        frames.add(FrameEncoder.heartbeat());
        return frames;
    }

    @Test
    void neverThrowsAnythingButAmqpException() {
        Random rnd = new Random(SEED);
        List<ByteString> valid = validFrames();
        int frames = 0;
        int errors = 0;
        long deadline = System.nanoTime() + 4_000_000_000L;
        int i;
        for (i = 0; i < 30_000 && System.nanoTime() < deadline; i++) {
            byte[] input = switch (i % 3) {
                case 0 -> randomBytes(rnd, 1 + rnd.nextInt(300));
                case 1 -> mutate(rnd, valid.get(rnd.nextInt(valid.size())).toArray());
                default -> mutate(rnd, concat(valid.get(rnd.nextInt(valid.size())), valid.get(rnd.nextInt(valid.size()))));
            };
            FrameParser p = new FrameParser(rnd.nextBoolean() ? 4096 : 0);
            p.feed(FrameEncoder.protocolHeader());
            int pos = 0;
            try {
                while (pos < input.length) {
                    int n = Math.min(input.length - pos, 1 + rnd.nextInt(64));
                    frames += p.feed(ByteString.fromArray(input, pos, n)).size();
                    pos += n;
                }
            } catch (AmqpException expected) {
                errors++;
                assertTrue(expected.connectionLevel());
                assertTrue(expected.replyCode() >= 500, () -> "code " + expected.replyCode());
            } catch (Throwable t) {
                fail("input #" + i + " " + ByteString.fromArray(input) + " threw " + t, t);
            }
        }
        assertTrue(i >= 5_000, "only " + i + " inputs in the time budget");
        assertTrue(frames > 1000 && errors > 1000, "fuzz reached both outcomes: " + frames + " frames, " + errors + " errors");
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        // Mostly plausible frame types, so the fuzz gets past the header check.
        if (rnd.nextBoolean()) b[0] = (byte) (1 + rnd.nextInt(3));
        return b;
    }

    private static byte[] concat(ByteString a, ByteString b) {
        return a.concat(b).toArray();
    }

    private static byte[] mutate(Random rnd, byte[] b) {
        int mutations = 1 + rnd.nextInt(4);
        for (int k = 0; k < mutations && b.length > 0; k++) {
            switch (rnd.nextInt(4)) {
                case 0 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                case 1 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 2 -> {
                    // Set a length-looking byte to an extreme value.
                    b[rnd.nextInt(b.length)] = (byte) (rnd.nextBoolean() ? 0xFF : 0x7F);
                }
                default -> {
                    byte[] shorter = new byte[rnd.nextInt(b.length)];
                    System.arraycopy(b, 0, shorter, 0, shorter.length);
                    b = shorter;
                }
            }
        }
        return b;
    }
}
