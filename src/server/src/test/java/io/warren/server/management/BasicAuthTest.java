package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.warren.broker.auth.UserDirectory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    private static final UserDirectory USERS = new UserDirectory(ConfigFactory.parseString("""
            vhosts = ["/"]
            users = [
              { name = "admin", password = "a:b", tags = ["administrator"] },
              { name = "mon", password = "m", tags = ["monitoring"] },
              { name = "app", password = "x", tags = ["management"] }
            ]
            """));

    private static Optional<String> header(String user, String password) {
        return Optional.of("Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void decodesUserAndPasswordSplittingAtTheFirstColon() {
        assertArrayEquals(new String[] {"admin", "a:b"}, BasicAuth.decode(header("admin", "a:b").get()).get());
        assertArrayEquals(new String[] {"u", ""}, BasicAuth.decode("basic " + Base64.getEncoder()
                .encodeToString("u:".getBytes(StandardCharsets.UTF_8))).get());
    }

    @Test
    void rejectsHeadersThatAreNotBasicCredentials() {
        assertTrue(BasicAuth.decode("Bearer abc").isEmpty());
        assertTrue(BasicAuth.decode("Basic !!!not-base64").isEmpty());
        assertTrue(BasicAuth.decode("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())).isEmpty());
    }

    @Test
    void administratorsAndMonitorsMayReadOthersMayNot() {
        assertEquals(Optional.empty(), BasicAuth.refusal(USERS, header("admin", "a:b")));
        assertEquals(Optional.empty(), BasicAuth.refusal(USERS, header("mon", "m")));
        assertEquals(Optional.of("Not monitor user"), BasicAuth.refusal(USERS, header("app", "x")));
        assertEquals(Optional.of("Not_Authorized"), BasicAuth.refusal(USERS, header("admin", "wrong")));
        assertEquals(Optional.of("Not_Authorized"), BasicAuth.refusal(USERS, header("ghost", "a:b")));
        assertEquals(Optional.of("Not_Authorized"), BasicAuth.refusal(USERS, Optional.empty()));
    }
}
