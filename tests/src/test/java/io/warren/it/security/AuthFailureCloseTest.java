package io.warren.it.security;

import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RawAmqpConnection;
import io.warren.it.SharedBroker;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every failed login gets connection.close 403 ACCESS_REFUSED before the socket closes, as RabbitMQ does, whatever
 * went wrong (unknown mechanism, malformed response, wrong password) and whether or not the client announced the
 * authentication_failure_close capability. A connection opened before keeps working.
 */
@ExtendWith(SharedBroker.class)
class AuthFailureCloseTest {
    private final BrokerUnderTest broker;

    AuthFailureCloseTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @Test
    void unknownMechanismIsRefusedWith403() throws Exception {
        assertRefused("NO-SUCH-MECHANISM", "\0guest\0guest");
    }

    @Test
    void malformedPlainResponseIsRefusedWith403() throws Exception {
        assertRefused("PLAIN", "guest-without-separators");
    }

    @Test
    void wrongPasswordWithoutTheCapabilityIsRefusedWith403() throws Exception {
        assertRefused("PLAIN", "\0guest\0not-the-password");
    }

    private void assertRefused(String mechanism, String response) throws Exception {
        try (var bystander = broker.newConnection(); RawAmqpConnection raw = new RawAmqpConnection(broker)) {
            raw.sendRaw(RawAmqpConnection.PROTOCOL_HEADER);
            raw.expectMethod(0, 10, 10);
            raw.sendMethod(0, 10, 11, startOk(mechanism, response.getBytes(StandardCharsets.UTF_8)));
            RawAmqpConnection.Close close = raw.expectConnectionClose();
            assertEquals(403, close.replyCode(), close.replyText());
            assertTrue(close.replyText().startsWith("ACCESS_REFUSED - "), close.replyText());
            Amqp.assertUsable(bystander);
        }
    }

    /** connection.start-ok with empty client properties (so no authentication_failure_close capability). */
    static byte[] startOk(String mechanism, byte[] response) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0);
        out.writeByte(mechanism.length());
        out.write(mechanism.getBytes(StandardCharsets.US_ASCII));
        out.writeInt(response.length);
        out.write(response);
        out.writeByte(5);
        out.write("en_US".getBytes(StandardCharsets.US_ASCII));
        return bytes.toByteArray();
    }
}
