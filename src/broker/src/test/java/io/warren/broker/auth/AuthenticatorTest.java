package io.warren.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private final UserDirectory users = new UserDirectory(ConfigFactory.parseString("""
            vhosts = ["/"]
            users = [ { name = guest, password = guest }, { name = alice, password = secret } ]
            """));

    private Authenticator authenticator(int throttleAfter) {
        return new Authenticator(users, List.of("PLAIN", "AMQPLAIN", "EXTERNAL"), Set.of("guest"),
                new AuthFailureThrottle(throttleAfter, Duration.ofSeconds(2)));
    }

    private static byte[] plain(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void externalIsOfferedOnlyWithACertificate() {
        assertEquals("PLAIN AMQPLAIN", authenticator(0).offered(false));
        assertEquals("PLAIN AMQPLAIN EXTERNAL", authenticator(0).offered(true));
    }

    @Test
    void loopbackUsersOnlyFromLoopback() {
        Authenticator a = authenticator(0);
        assertInstanceOf(Authenticator.Outcome.Accepted.class, a.authenticate("PLAIN", plain("guest", "guest"), "127.0.0.1", "x", Optional.empty()));
        assertInstanceOf(Authenticator.Outcome.Accepted.class, a.authenticate("PLAIN", plain("guest", "guest"), "0:0:0:0:0:0:0:1", "x", Optional.empty()));
        var refused = assertInstanceOf(Authenticator.Outcome.Refused.class,
                a.authenticate("PLAIN", plain("guest", "guest"), "10.1.2.3", "x", Optional.empty()));
        assertEquals("user 'guest' can only connect via localhost", refused.clientText());
        assertInstanceOf(Authenticator.Outcome.Accepted.class, a.authenticate("PLAIN", plain("alice", "secret"), "10.1.2.3", "x", Optional.empty()));
        assertFalse(Authenticator.isLoopback("localhost.evil.example"), "no DNS lookups, names are not loopback");
    }

    @Test
    void externalLogsInAsTheCertificatesUserAndRefusesUnknownOnes() {
        Authenticator a = authenticator(0);
        var ok = assertInstanceOf(Authenticator.Outcome.Accepted.class,
                a.authenticate("EXTERNAL", new byte[0], "10.1.2.3", "x", Optional.of("alice")));
        assertEquals("alice", ok.user().name());
        assertInstanceOf(Authenticator.Outcome.Refused.class, a.authenticate("EXTERNAL", new byte[0], "10.1.2.3", "x", Optional.of("mallory")));
        assertInstanceOf(Authenticator.Outcome.Refused.class, a.authenticate("EXTERNAL", new byte[0], "10.1.2.3", "x", Optional.empty()));
    }

    @Test
    void refusalsNeverCarryThePasswordAndSlowDownAfterRepeatedFailures() {
        Authenticator a = authenticator(2);
        for (int i = 1; i <= 4; i++) {
            var r = assertInstanceOf(Authenticator.Outcome.Refused.class,
                    a.authenticate("PLAIN", plain("alice", "hunter2"), "10.9.9.9", "x", Optional.empty()));
            assertFalse(r.clientText().contains("hunter2") || r.logReason().contains("hunter2"));
            assertEquals(i > 2 ? Duration.ofSeconds(2) : Duration.ZERO, r.delay(), "failure " + i);
        }
        var other = assertInstanceOf(Authenticator.Outcome.Refused.class,
                a.authenticate("PLAIN", plain("alice", "x"), "10.9.9.8", "x", Optional.empty()));
        assertEquals(Duration.ZERO, other.delay(), "another address is not slowed down");
        a.authenticate("PLAIN", plain("alice", "secret"), "10.9.9.9", "x", Optional.empty());
        var afterSuccess = assertInstanceOf(Authenticator.Outcome.Refused.class,
                a.authenticate("PLAIN", plain("alice", "x"), "10.9.9.9", "x", Optional.empty()));
        assertEquals(Duration.ZERO, afterSuccess.delay());
        assertTrue(assertInstanceOf(Authenticator.Outcome.Refused.class,
                a.authenticate("NOPE", new byte[0], "10.9.9.7", "x", Optional.empty())).clientText().contains("NOPE"));
    }
}
