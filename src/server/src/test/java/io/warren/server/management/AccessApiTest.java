package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import io.warren.broker.WarrenNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Users, vhosts and permissions through the HTTP API of a real node: created at runtime, used by real AMQP logins,
 * kept in the journal across a restart, and the config file only seeding a fresh cluster.
 */
class AccessApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Path dataDir;
    private ManagementTestNode warren;
    private WarrenNode node;
    private int httpPort;

    private void start(String users) throws Exception {
        if (dataDir == null) dataDir = Files.createTempDirectory("warren-access-test");
        warren = ManagementTestNode.start(dataDir, "warren.users = " + users);
        node = warren.node;
        httpPort = warren.httpPort;
    }

    private void stop() {
        if (warren != null) warren.close();
        warren = null;
        node = null;
    }

    @AfterEach
    void cleanUp() throws Exception {
        stop();
        if (dataDir != null) {
            ManagementTestNode.delete(dataDir);
        }
    }

    private static final String SEED = """
            [ { name = "guest", password = "guest", tags = ["administrator"] },
              { name = "watcher", password = "w", tags = ["monitoring"] } ]
            """;

    @Test
    void usersVhostsAndPermissionsMadeAtRuntimeLogInAndSurviveARestart() throws Exception {
        start(SEED);
        assertEquals(201, send("PUT", "/api/vhosts/dev", "{}", "guest", "guest").statusCode());
        assertEquals(201, send("PUT", "/api/users/alice", "{\"password\":\"secret\",\"tags\":\"management,policymaker\"}", "guest", "guest").statusCode());
        assertEquals(201, send("PUT", "/api/permissions/dev/alice", "{\"configure\":\"^a\\\\.\",\"write\":\".*\",\"read\":\"\"}", "guest", "guest").statusCode());

        JsonNode alice = getJson("/api/users/alice");
        assertEquals("rabbit_password_hashing_sha256", alice.get("hashing_algorithm").asText());
        assertEquals("[\"management\",\"policymaker\"]", alice.get("tags").toString());
        byte[] stored = Base64.getDecoder().decode(alice.get("password_hash").asText());
        assertEquals(36, stored.length);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(stored, 0, 4);
        sha.update("secret".getBytes(StandardCharsets.UTF_8));
        assertTrue(MessageDigest.isEqual(sha.digest(), java.util.Arrays.copyOfRange(stored, 4, 36)),
                "the hash is base64(salt + sha256(salt + password)) as RabbitMQ stores it");
        JsonNode perm = getJson("/api/permissions/dev/alice");
        assertEquals("^a\\.", perm.get("configure").asText());
        assertEquals("", perm.get("read").asText());
        assertEquals(1, getJson("/api/users/alice/permissions").size());
        assertEquals("alice", getJson("/api/vhosts/dev/permissions").get(0).get("user").asText());

        try (Connection c = amqp("alice", "secret", "dev")) {
            assertTrue(c.isOpen());
        }
        assertThrows(AuthenticationFailureException.class, () -> amqp("alice", "wrong", "dev").close());

        // the seed's second user goes; then restart with a config that would seed other users
        assertEquals(204, send("DELETE", "/api/users/watcher", null, "guest", "guest").statusCode());
        stop();
        start("""
                [ { name = "guest", password = "guest", tags = ["administrator"] },
                  { name = "newcomer", password = "n", tags = ["administrator"] } ]
                """);
        try (Connection c = amqp("alice", "secret", "dev")) {
            assertTrue(c.isOpen());
        }
        assertEquals(401, send("GET", "/api/overview", null, "watcher", "w").statusCode(), "deleted users stay deleted");
        assertEquals(401, send("GET", "/api/overview", null, "newcomer", "n").statusCode(),
                "the config only seeds a fresh cluster");
        assertEquals("^a\\.", getJson("/api/permissions/dev/alice").get("configure").asText());
    }

    @Test
    void aPasswordHashFromRabbitMqLogsIn_andDeletedUsersAndVhostsAreGone() throws Exception {
        start(SEED);
        byte[] salt = {1, 2, 3, 4};
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        sha.update("imported".getBytes(StandardCharsets.UTF_8));
        String hash = Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(36).put(salt).put(sha.digest()).array());
        assertEquals(201, send("PUT", "/api/users/bob", "{\"password_hash\":\"" + hash + "\",\"tags\":[]}", "guest", "guest").statusCode());
        assertEquals(201, send("PUT", "/api/permissions/%2F/bob", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", "guest", "guest").statusCode());
        try (Connection c = amqp("bob", "imported", "/")) {
            assertTrue(c.isOpen());
        }
        // tags only: the password stays
        assertEquals(204, send("PUT", "/api/users/bob", "{\"tags\":\"monitoring\"}", "guest", "guest").statusCode());
        assertEquals(200, send("GET", "/api/overview", null, "bob", "imported").statusCode());

        assertEquals(201, send("PUT", "/api/vhosts/tmp", "{}", "guest", "guest").statusCode());
        assertEquals(204, send("PUT", "/api/vhosts/tmp", "{}", "guest", "guest").statusCode());
        assertEquals(200, send("GET", "/api/vhosts/tmp", null, "guest", "guest").statusCode());
        assertEquals(204, send("DELETE", "/api/vhosts/tmp", null, "guest", "guest").statusCode());
        assertEquals(404, send("GET", "/api/vhosts/tmp", null, "guest", "guest").statusCode());

        assertEquals(204, send("DELETE", "/api/users/bob", null, "guest", "guest").statusCode());
        assertThrows(AuthenticationFailureException.class, () -> amqp("bob", "imported", "/").close());
        assertEquals(404, send("DELETE", "/api/users/bob", null, "guest", "guest").statusCode());
    }

    @Test
    void badRequestsGet400WithAReason_andOnlyAdministratorsManageUsers() throws Exception {
        start(SEED);
        HttpResponse<String> malformed = send("PUT", "/api/users/x", "{\"password\":", "guest", "guest");
        assertEquals(400, malformed.statusCode());
        assertEquals("bad_request", JSON.readTree(malformed.body()).get("error").asText());
        assertTrue(JSON.readTree(malformed.body()).get("reason").asText().startsWith("malformed JSON"), malformed.body());

        HttpResponse<String> unknown = send("PUT", "/api/users/x", "{\"pasword\":\"p\",\"tags\":\"\"}", "guest", "guest");
        assertEquals(400, unknown.statusCode());
        assertTrue(JSON.readTree(unknown.body()).get("reason").asText().contains("unknown field 'pasword'"), unknown.body());

        HttpResponse<String> regex = send("PUT", "/api/permissions/%2F/guest", "{\"configure\":\"(\",\"write\":\".*\",\"read\":\".*\"}", "guest", "guest");
        assertEquals(400, regex.statusCode());
        assertTrue(regex.body().contains("invalid configure regular expression"), regex.body());

        assertEquals(400, send("PUT", "/api/permissions/nowhere/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", "guest", "guest").statusCode());

        HttpResponse<String> monitor = send("GET", "/api/users", null, "watcher", "w");
        assertEquals(401, monitor.statusCode());
        assertEquals("Not administrator user", JSON.readTree(monitor.body()).get("reason").asText());
        assertEquals(401, send("PUT", "/api/users/evil", "{\"password\":\"p\",\"tags\":\"administrator\"}", "watcher", "w").statusCode());
        assertEquals(404, send("GET", "/api/users/evil", null, "guest", "guest").statusCode());
        assertFalse(getJson("/api/users").toString().contains("evil"));
    }

    // ---------------------------------------------------------------- helpers

    private Connection amqp(String user, String password, String vhost) throws Exception {
        return warren.connect(user, password, vhost);
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null, "guest", "guest");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String path, String body, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
