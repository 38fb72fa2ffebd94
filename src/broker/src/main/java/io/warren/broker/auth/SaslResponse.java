package io.warren.broker.auth;

import io.warren.amqp.AmqpException;
import io.warren.amqp.FieldTables;
import io.warren.amqp.ReplyCodes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/** Reads the user name and password out of a connection.start-ok response for PLAIN and AMQPLAIN. */
public final class SaslResponse {
    public record Credentials(String user, String password) {}

    private SaslResponse() {}

    public static Credentials parse(String mechanism, byte[] response) {
        return switch (mechanism) {
            case "PLAIN" -> plain(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> throw AmqpException.connection(ReplyCodes.ACCESS_REFUSED,
                    ReplyCodes.text(ReplyCodes.ACCESS_REFUSED, "unsupported authentication mechanism '" + mechanism + "'"));
        };
    }

    /** PLAIN is "authzid NUL authcid NUL password" (RFC 4616). */
    private static Credentials plain(byte[] response) {
        String s = new String(response, StandardCharsets.UTF_8);
        String[] parts = s.split("\0", -1);
        if (parts.length != 3) {
            throw AmqpException.connection(ReplyCodes.ACCESS_REFUSED,
                    ReplyCodes.text(ReplyCodes.ACCESS_REFUSED, "malformed PLAIN response"));
        }
        return new Credentials(parts[1], parts[2]);
    }

    /** AMQPLAIN is a field table without its length prefix, holding LOGIN and PASSWORD. */
    private static Credentials amqplain(byte[] response) {
        ByteBuffer withLength = ByteBuffer.allocate(4 + response.length).putInt(response.length).put(response);
        Map<String, Object> table;
        try {
            table = FieldTables.decode(ByteString.fromArray(withLength.array()));
        } catch (RuntimeException e) {
            throw AmqpException.connection(ReplyCodes.ACCESS_REFUSED,
                    ReplyCodes.text(ReplyCodes.ACCESS_REFUSED, "malformed AMQPLAIN response"));
        }
        Object login = table.get("LOGIN");
        Object password = table.get("PASSWORD");
        if (login == null || password == null) {
            throw AmqpException.connection(ReplyCodes.ACCESS_REFUSED,
                    ReplyCodes.text(ReplyCodes.ACCESS_REFUSED, "AMQPLAIN response lacks LOGIN or PASSWORD"));
        }
        return new Credentials(String.valueOf(login), String.valueOf(password));
    }
}
