package io.warren.core.connection;

import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

class TuneNegotiationTest {

    private static String refusal(long channelMax, long frameMax) {
        AmqpException e = assertThrows(AmqpException.class, () -> TuneNegotiation.check(2047, 131072, channelMax, frameMax));
        assertEquals(530, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals(10, e.classId());
        assertEquals(30, e.methodId());
        return e.replyText();
    }

    @Test
    void valuesWithinTheOfferAreAccepted() {
        assertDoesNotThrow(() -> TuneNegotiation.check(2047, 131072, 2047, 131072));
        assertDoesNotThrow(() -> TuneNegotiation.check(2047, 131072, 1, 4096));
        assertDoesNotThrow(() -> TuneNegotiation.check(0, 0, 0, 0));
        assertDoesNotThrow(() -> TuneNegotiation.check(0, 0, 65535, 1 << 20));
    }

    @Test
    void outOfRangeValuesAreRefusedWithRabbitMqsText() {
        // RabbitMQ 3.10.8's words (its log: "failed to negotiate connection parameters: negotiated ...")
        assertEquals("NOT_ALLOWED - negotiated frame_max = 4095 is lower than the minimum allowed value (4096)",
                refusal(10, 4095));
        assertEquals("NOT_ALLOWED - negotiated frame_max = 131073 is higher than the maximum allowed value (131072)",
                refusal(10, 131073));
        assertEquals("NOT_ALLOWED - negotiated frame_max = 0 is higher than the maximum allowed value (131072)",
                refusal(10, 0));
        assertEquals("NOT_ALLOWED - negotiated channel_max = 2048 is higher than the maximum allowed value (2047)",
                refusal(2048, 4096));
        assertEquals("NOT_ALLOWED - negotiated channel_max = 0 (no limit) is higher than the maximum allowed value (2047)",
                refusal(0, 4096));
        assertEquals("NOT_ALLOWED - negotiated frame_max = 100 is lower than the minimum allowed value (4096)",
                refusal(5000, 100), "frame-max first");
    }
}
