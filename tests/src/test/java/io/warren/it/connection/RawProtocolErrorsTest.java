package io.warren.it.connection;

import com.rabbitmq.client.Connection;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RawAmqpConnection;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-made bytes on a plain socket. Every test also holds a well-behaved connection, opened before the
 * bad one, which must keep working: one client's garbage must never hurt another client.
 */
@ExtendWith(SharedBroker.class)
class RawProtocolErrorsTest {
    private final BrokerUnderTest broker;
    private Connection bystander;

    RawProtocolErrorsTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @BeforeEach
    void openBystander() throws Exception {
        bystander = broker.newConnection();
    }

    @AfterEach
    void bystanderStillWorks() throws Exception {
        Amqp.assertUsable(bystander);
        bystander.close();
    }

    @Test
    void wrongProtocolVersionGetsTheSupportedHeaderAndAClose() throws Exception {
        assertHeaderRefused(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 10, 0});
    }

    @Test
    void nonAmqpBytesGetTheSupportedHeaderAndAClose() throws Exception {
        assertHeaderRefused("GET / HTTP/1.1\r\n\r\n".getBytes());
    }

    @Test
    void badFrameEndIsAFrameError() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            byte[] channelFlow = {0, 20, 0, 20, 1};
            raw.sendFrame(RawAmqpConnection.FRAME_METHOD, 1, channelFlow, 0x00);
            assertEquals(501, raw.expectConnectionClose().replyCode());
        }
    }

    @Test
    void frameLargerThanFrameMaxIsAFrameError() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendBasicPublish(1, "", "nowhere");
            int tooBig = (int) raw.tune().frameMax() + 1024;
            raw.sendContentHeader(1, tooBig);
            raw.sendBody(1, new byte[tooBig]);
            assertEquals(501, raw.expectConnectionClose().replyCode());
        }
    }

    @Test
    void unknownFrameTypeIsAFrameError() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendFrame(42, 1, new byte[] {1, 2, 3});
            assertEquals(501, raw.expectConnectionClose().replyCode());
        }
    }

    @Test
    void unknownClassAndMethodIsRejected() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendMethod(1, 99, 99, new byte[0]);
            RawAmqpConnection.Frame reply;
            try {
                reply = raw.readFrame();
            } catch (IOException dropped) {
                // RabbitMQ 3.10/3.13: the reader process crashes on {unknown_method_id,{99,99}} and the
                // socket is dropped without a connection.close. Warren must answer politely instead.
                assertTrue(broker.isExternal(), "the connection was dropped without connection.close: " + dropped);
                return;
            }
            assertTrue(reply.isMethod(10, 50), "expected connection.close, got " + reply);
            int code = reply.arguments().getShort();
            assertTrue(code == 540 || code == 503, "reply code " + code + ", expected 540 NOT_IMPLEMENTED or 503 COMMAND_INVALID");
        }
    }

    @Test
    void methodOnAChannelThatIsNotOpenIsAChannelError() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.sendQueueDeclare(5);
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(504, close.replyCode(), close.toString());
        }
    }

    @Test
    void contentHeaderWithoutPublishIsUnexpected() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendContentHeader(1, 3);
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(505, close.replyCode(), close.toString());
        }
    }

    /** Java client suite UnexpectedFrames#missingMethod: a publish's method payload sent as a header frame. Its
     *  "properties" do not decode, but RabbitMQ reports the missing method first: 505, not 501. */
    @Test
    void methodPayloadSentAsAContentHeaderIsUnexpected() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            // basic.publish's payload: class 60, method 40, ticket, exchange "", routing key, flags
            ByteBuffer payload = ByteBuffer.allocate(4 + 2 + 1 + 1 + 24 + 1);
            payload.putShort((short) 60).putShort((short) 40).putShort((short) 0).put((byte) 0).put((byte) 24)
                    .put("some-queue-name-for-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0);
            raw.sendFrame(RawAmqpConnection.FRAME_HEADER, 1, payload.array());
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(505, close.replyCode(), close.toString());
        }
    }

    @Test
    void contentHeaderAfterAMethodWithoutContentIsUnexpected() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendQueueDeclare(1);
            raw.expectMethod(1, 50, 11);
            raw.sendContentHeader(1, 3);
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(505, close.replyCode(), close.toString());
            assertEquals("UNEXPECTED_FRAME - expected method frame, got non method frame instead", close.replyText());
        }
    }

    @Test
    void contentHeaderOfAnotherClassThanItsPublishIsUnexpected() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendBasicPublish(1, "", "nowhere");
            // class 50 (queue), weight 0, body size 3, no property flags
            byte[] header = {0, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0};
            raw.sendFrame(RawAmqpConnection.FRAME_HEADER, 1, header);
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(505, close.replyCode(), close.toString());
            assertEquals("UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead", close.replyText());
            assertEquals(60, close.classId());
            assertEquals(40, close.methodId());
        }
    }

    @Test
    void contentBodyWithoutPublishIsUnexpected() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendBody(1, new byte[] {1, 2, 3});
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(505, close.replyCode(), close.toString());
        }
    }

    @Test
    void secondChannelOpenOnAnOpenChannelIsAChannelError() throws Exception {
        try (RawAmqpConnection raw = RawAmqpConnection.open(broker, 0)) {
            raw.openChannel(1);
            raw.sendChannelOpen(1);
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(504, close.replyCode(), close.toString());
        }
    }

    @Test
    void silentSocketsAreClosedAfterTheHandshakeTimeout() throws Exception {
        Duration timeout = broker.handshakeTimeout();
        Duration limit = timeout.plusSeconds(5);
        // Both at once to wait only once: one sends nothing, one stops after the protocol header.
        try (RawAmqpConnection silent = new RawAmqpConnection(broker);
             RawAmqpConnection stalled = new RawAmqpConnection(broker)) {
            stalled.sendRaw(RawAmqpConnection.PROTOCOL_HEADER);
            stalled.expectMethod(0, 10, 10); // connection.start, then we never answer
            Duration silentWait = silent.awaitServerClosed(limit);
            stalled.awaitServerClosed(limit.minus(silentWait).plusSeconds(1));
            assertTrue(silentWait.compareTo(timeout.minusSeconds(2)) >= 0,
                    "closed after " + silentWait.toMillis() + " ms, before the handshake timeout of " + timeout);
        }
    }

    private void assertHeaderRefused(byte[] header) throws Exception {
        try (RawAmqpConnection raw = new RawAmqpConnection(broker)) {
            raw.sendRaw(header);
            byte[] reply = raw.readUpTo(8, Duration.ofSeconds(5));
            assertArrayEquals(RawAmqpConnection.PROTOCOL_HEADER, reply,
                    "server should answer with the header it supports, got " + Arrays.toString(reply));
            raw.awaitServerClosed(Duration.ofSeconds(5));
        }
    }
}
