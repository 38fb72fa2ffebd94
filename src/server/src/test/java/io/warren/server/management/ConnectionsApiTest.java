package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.broker.WarrenNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real node: connections listed with RabbitMQ's fields, DELETE closing one with 320, and the health checks. */
class ConnectionsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Path dataDir;
    private static ManagementTestNode warren;
    private static WarrenNode node;
    private static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("warren-connections-test");
        warren = ManagementTestNode.start(dataDir, "");
        node = warren.node;
        httpPort = warren.httpPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (warren != null) warren.close();
        ManagementTestNode.delete(dataDir);
    }

    @Test
    void aConnectionIsListedAndClosedByName() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(node.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        Connection c = f.newConnection("listed-client");
        try {
            c.createChannel();
            JsonNode listed = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (listed == null && System.nanoTime() < deadline) {
                for (JsonNode n : JSON.readTree(send("GET", "/api/connections").body())) {
                    if ("listed-client".equals(n.path("client_properties").path("connection_name").asText())) listed = n;
                }
                if (listed == null) Thread.sleep(50);
            }
            assertTrue(listed != null, "the connection is listed");
            assertEquals("guest", listed.get("user").asText());
            assertEquals(1, listed.get("channels").asInt());
            assertEquals("AMQP 0-9-1", listed.get("protocol").asText());

            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            c.addShutdownListener(closed::complete);
            String name = URLEncoder.encode(listed.get("name").asText(), StandardCharsets.UTF_8).replace("+", "%20");
            assertEquals(204, send("DELETE", "/api/connections/" + name).statusCode());
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            assertEquals("CONNECTION_FORCED - Closed via management plugin",
                    ((com.rabbitmq.client.AMQP.Connection.Close) signal.getReason()).getReplyText());
            assertEquals(404, send("DELETE", "/api/connections/" + name).statusCode());
        } finally {
            c.abort();
        }
    }

    @Test
    void healthChecks() throws Exception {
        assertEquals(200, send("GET", "/api/health/checks/alarms").statusCode());
        assertEquals(200, send("GET", "/api/health/checks/local-alarms").statusCode());
        assertEquals(200, send("GET", "/api/health/checks/virtual-hosts").statusCode());
        assertEquals(200, send("GET", "/api/health/checks/node-is-quorum-critical").statusCode());
        assertEquals(200, send("GET", "/api/health/checks/port-listener/" + node.amqpPort()).statusCode());
        HttpResponse<String> missing = send("GET", "/api/health/checks/port-listener/1");
        assertEquals(503, missing.statusCode());
        assertEquals("failed", JSON.readTree(missing.body()).get("status").asText());
        HttpResponse<String> alive = send("GET", "/api/aliveness-test/%2F");
        assertEquals(200, alive.statusCode(), alive.body());
        assertEquals("ok", JSON.readTree(alive.body()).get("status").asText());
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
