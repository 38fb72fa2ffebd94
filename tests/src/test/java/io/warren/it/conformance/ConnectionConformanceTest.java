package io.warren.it.conformance;

import io.warren.it.BrokerUnderTest;
import io.warren.it.RawAmqpConnection;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Connection-level conformance: tune-ok range checks (530) and connection.update-secret (issue 14). */
@ExtendWith(SharedBroker.class)
class ConnectionConformanceTest {
    private final BrokerUnderTest broker;

    ConnectionConformanceTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    /**
     * Sends tune-ok with these values and returns the connection.close's code, text, class and method. RabbitMQ 3.10
     * raises the same 530 but, before connection.open, only logs it ("failed to negotiate connection parameters:
     * negotiated frame_max = 4095 is lower than the minimum allowed value (4096)") and drops the socket 3 s later:
     * accepted in external mode only, where this returns null.
     */
    private String tuneOkRefused(int channelMax, long frameMax) throws Exception {
        try (RawAmqpConnection raw = new RawAmqpConnection(broker)) {
            raw.startUntilTune();
            raw.sendTuneOk(channelMax, frameMax, 0);
            if (broker.isExternal()) {
                raw.awaitServerClosed(java.time.Duration.ofSeconds(10));
                return null;
            }
            ByteBuffer args = raw.expectMethod(0, 10, 50).arguments();
            int code = args.getShort() & 0xFFFF;
            byte[] text = new byte[args.get() & 0xFF];
            args.get(text);
            int classId = args.getShort() & 0xFFFF;
            int methodId = args.getShort() & 0xFFFF;
            return code + " " + new String(text, StandardCharsets.UTF_8) + " " + classId + "/" + methodId;
        }
    }

    @Test
    void frameMaxBelowTheMinimumIsRefused() throws Exception {
        assertCloses("530 NOT_ALLOWED - negotiated frame_max = 4095 is lower than the minimum allowed value (4096) 10/30",
                tuneOkRefused(1, 4095));
    }

    @Test
    void valuesAboveTheOfferAreRefused() throws Exception {
        long offeredFrameMax;
        int offeredChannelMax;
        try (RawAmqpConnection raw = new RawAmqpConnection(broker)) {
            RawAmqpConnection.Tune tune = raw.startUntilTune();
            offeredFrameMax = tune.frameMax();
            offeredChannelMax = tune.channelMax();
        }
        assumeFalse(offeredFrameMax == 0 || offeredChannelMax == 0 || offeredChannelMax == 65535, "no limit offered");
        assertCloses("530 NOT_ALLOWED - negotiated frame_max = " + (offeredFrameMax + 1) + " is higher than the "
                + "maximum allowed value (" + offeredFrameMax + ") 10/30", tuneOkRefused(1, offeredFrameMax + 1));
        assertCloses("530 NOT_ALLOWED - negotiated channel_max = " + (offeredChannelMax + 1) + " is higher than the "
                + "maximum allowed value (" + offeredChannelMax + ") 10/30", tuneOkRefused(offeredChannelMax + 1, 4096));
    }

    /** {@code actual} is null when the broker (RabbitMQ, external mode) dropped the socket without a close. */
    private void assertCloses(String expected, String actual) {
        if (actual != null || !broker.isExternal()) assertEquals(expected, actual);
    }

    /** connection.update-secret (10/70): longstr new-secret, shortstr reason. */
    private static void sendUpdateSecret(RawAmqpConnection raw, String secret) throws Exception {
        byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
        byte[] reason = "token refreshed".getBytes(StandardCharsets.UTF_8);
        ByteBuffer args = ByteBuffer.allocate(4 + secretBytes.length + 1 + reason.length);
        args.putInt(secretBytes.length).put(secretBytes).put((byte) reason.length).put(reason);
        raw.sendMethod(0, 10, 70, args.array());
    }

    @Test
    void updateSecretIsAnswered() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            sendUpdateSecret(raw, "guest");
            raw.expectMethod(0, 10, 71); // update-secret-ok
            // RabbitMQ's internal backend (and Warren's user directory) check a password only at login
            sendUpdateSecret(raw, "a new token");
            raw.expectMethod(0, 10, 71);
            raw.openChannel(1); // still usable
        }
    }

    @Test
    void afterCloseOkTheServerLeavesTheSocketToTheClientForAWhile() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 2)) {
            raw.openChannel(1);
            raw.sendMethod(0, 10, 50, new byte[] {0, (byte) 200, 3, 'b', 'y', 'e', 0, 0, 0, 0});
            raw.expectMethod(0, 10, 51); // close-ok
            long start = System.nanoTime();
            // a client still flushing publishes: discarded, not answered, not an error
            for (int i = 0; i < 20; i++) {
                raw.sendBasicPublish(1, "", "nowhere");
                raw.sendContentHeader(1, 3);
                raw.sendBody(1, new byte[] {1, 2, 3});
            }
            raw.awaitServerClosed(java.time.Duration.ofSeconds(40));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            // RabbitMQ closes it after the heartbeat interval (2 s here), at most 30 s
            assertTrue(elapsedMillis >= 1000, "closed after " + elapsedMillis + " ms");
        }
    }

    @Test
    void deliveryTagsAreUnsigned64Bit() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendMethod(1, 60, 80, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 0}); // basic.ack 2^64-1
            RawAmqpConnection.Close close = raw.expectChannelClose(1);
            assertEquals(406, close.replyCode());
            assertEquals("PRECONDITION_FAILED - unknown delivery tag 18446744073709551615", close.replyText());
        }
    }
}
