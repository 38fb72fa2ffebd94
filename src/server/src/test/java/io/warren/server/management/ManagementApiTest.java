package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.broker.WarrenNode;
import io.warren.server.Main;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real node, real AMQP clients and real HTTP: what the management API, /metrics and Pekko Management answer. */
class ManagementApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path dataDir;
    private static WarrenNode node;
    private static ManagementServer management;
    private static int httpPort;
    private static int pekkoManagementPort;
    private static String selfAddress;
    private static Connection amqp;

    @BeforeAll
    static void startNode() throws Exception {
        dataDir = Files.createTempDirectory("warren-management-test");
        pekkoManagementPort = freePort();
        Config config = ConfigFactory.parseString("""
                warren.users = [
                  { name = "guest", password = "guest", tags = ["administrator"] },
                  { name = "watcher", password = "w", tags = ["monitoring"] },
                  { name = "plain", password = "p" }
                ]
                """)
                .withFallback(ConfigFactory.parseMap(Map.of(
                        "warren.data-dir", dataDir.toString(),
                        "warren.amqp.host", "127.0.0.1",
                        "warren.amqp.port", "0",
                        "warren.cluster.remote-port", "0",
                        "warren.management.host", "127.0.0.1",
                        "warren.management.port", "0",
                        // a single node runs Pekko Management only when asked (default auto: clustered nodes)
                        "warren.management.pekko-management.enabled", "true",
                        "pekko.management.http.hostname", "127.0.0.1",
                        "pekko.management.http.port", String.valueOf(pekkoManagementPort))))
                .withFallback(ConfigFactory.defaultReferenceUnresolved())
                .resolve();
        node = WarrenNode.start(Main.withOperations(config));
        management = ManagementServer.start(node, config, "9.9.9-test");
        httpPort = management.httpPort().orElseThrow();
        selfAddress = Cluster.get(node.system()).selfMember().address().toString();

        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(node.amqpPort());
        amqp = factory.newConnection();
        Channel ch = amqp.createChannel();
        ch.confirmSelect();
        ch.queueDeclare("mq-a", true, false, false, null);
        ch.queueBind("mq-a", "amq.fanout", "");
        ch.queueDeclare("mq-b", false, false, false, null);
        for (int i = 0; i < 3; i++) {
            ch.basicPublish("", "mq-a", null, ("hello " + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.basicPublish("", "mq-b", null, "12345".getBytes(StandardCharsets.UTF_8));
        ch.basicPublish("", "mq-b", null, "123".getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000); // so that basic.get below finds the messages
        GetResponse got = ch.basicGet("mq-b", false); // stays unacknowledged while the test runs
        assertNotNull(got);
        // mq-c: a consumer that acknowledges everything, and stays attached
        Channel consuming = amqp.createChannel();
        consuming.queueDeclare("mq-c", false, false, false, null);
        consuming.basicConsume("mq-c", false, new com.rabbitmq.client.DefaultConsumer(consuming) {
            @Override
            public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope,
                                       com.rabbitmq.client.AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
        consuming.basicPublish("", "mq-c", null, "x".getBytes(StandardCharsets.UTF_8));
        consuming.basicPublish("", "mq-c", null, "y".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (amqp != null) {
            amqp.abort();
        }
        if (management != null) {
            management.stop(Duration.ofSeconds(1));
        }
        if (node != null) {
            node.stop(Duration.ofSeconds(10));
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void queuesShowTheirCountsAndTheNodeHostingThem() throws Exception {
        JsonNode a = awaitJson("/api/queues/%2F/mq-a", q -> q.path("messages").asInt() == 3);
        assertEquals("mq-a", a.get("name").asText());
        assertEquals("/", a.get("vhost").asText());
        assertTrue(a.get("durable").asBoolean());
        assertFalse(a.get("auto_delete").asBoolean());
        assertEquals(3, a.get("messages_ready").asInt());
        assertEquals(0, a.get("messages_unacknowledged").asInt());
        assertEquals("running", a.get("state").asText());
        assertEquals(selfAddress, a.get("node").asText());
        assertEquals(3, a.get("message_stats").get("publish").asLong());
        assertTrue(a.get("arguments").isObject());

        JsonNode b = awaitJson("/api/queues/%2F/mq-b", q -> q.path("messages_unacknowledged").asInt() == 1);
        assertEquals(1, b.get("messages_ready").asInt());
        assertEquals(2, b.get("messages").asInt());
        assertEquals(3, b.get("message_bytes_ready").asLong()); // "123" is left; "12345" was fetched
        assertFalse(b.get("durable").asBoolean());

        JsonNode c = awaitJson("/api/queues/%2F/mq-c", q -> q.path("message_stats").path("ack").asInt() == 2);
        assertEquals(0, c.get("messages").asInt());
        assertEquals(1, c.get("consumers").asInt());
        assertEquals(2, c.get("message_stats").get("publish").asLong());
        assertEquals(2, c.get("message_stats").get("deliver_get").asLong());

        JsonNode all = getJson("/api/queues", "guest", "guest");
        assertTrue(all.isArray());
        assertTrue(names(all).contains("mq-a") && names(all).contains("mq-b"), all.toString());
        JsonNode inVhost = getJson("/api/queues/%2F", "guest", "guest");
        assertEquals(names(all), names(inVhost));
    }

    @Test
    void missingQueueOrVhostIs404WithRabbitMqsBody() throws Exception {
        HttpResponse<String> missing = get("/api/queues/%2F/no-such-queue", "guest", "guest");
        assertEquals(404, missing.statusCode());
        assertEquals("Object Not Found", JSON.readTree(missing.body()).get("error").asText());
        assertEquals(404, get("/api/queues/no-such-vhost", "guest", "guest").statusCode());
        assertEquals(404, get("/api/no-such-thing", "guest", "guest").statusCode());
    }

    @Test
    void onlyAdministratorsAndMonitorsMayRead() throws Exception {
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(uri("/api/overview")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertEquals("not_authorized", JSON.readTree(anonymous.body()).get("error").asText());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));

        assertEquals(401, get("/api/overview", "guest", "wrong").statusCode());
        assertEquals(401, get("/api/overview", "nobody", "guest").statusCode());
        HttpResponse<String> untagged = get("/api/queues", "plain", "p");
        assertEquals(401, untagged.statusCode());
        assertEquals("Not monitor user", JSON.readTree(untagged.body()).get("reason").asText());

        assertEquals(200, get("/api/overview", "watcher", "w").statusCode());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(uri("/api/queues")).header("Authorization", basic("guest", "guest"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void overviewCountsTheWholeBroker() throws Exception {
        JsonNode o = awaitJson("/api/overview", j -> j.path("queue_totals").path("messages").asInt() == 5);
        assertEquals("Warren", o.get("product_name").asText());
        assertEquals("9.9.9-test", o.get("product_version").asText());
        assertEquals(selfAddress, o.get("node").asText());
        assertFalse(o.get("cluster_name").asText().isEmpty());
        JsonNode totals = o.get("object_totals");
        assertEquals(3, totals.get("queues").asInt());
        assertEquals(6, totals.get("exchanges").asInt()); // the default exchanges of "/"
        assertEquals(1, totals.get("connections").asInt());
        assertEquals(1, totals.get("consumers").asInt());
        assertEquals(4, o.get("queue_totals").get("messages_ready").asInt());
        assertEquals(1, o.get("queue_totals").get("messages_unacknowledged").asInt());
    }

    @Test
    void nodesExchangesBindingsConnectionsAndVhosts() throws Exception {
        JsonNode nodes = getJson("/api/nodes", "guest", "guest");
        assertEquals(1, nodes.size());
        assertEquals(selfAddress, nodes.get(0).get("name").asText());
        assertTrue(nodes.get(0).get("running").asBoolean());
        assertEquals("disc", nodes.get(0).get("type").asText());
        assertTrue(nodes.get(0).get("uptime").asLong() > 0);

        JsonNode fanout = getJson("/api/exchanges/%2F/amq.fanout", "guest", "guest");
        assertEquals("fanout", fanout.get("type").asText());
        assertTrue(fanout.get("durable").asBoolean());
        assertEquals(6, getJson("/api/exchanges", "guest", "guest").size());

        JsonNode bindings = getJson("/api/bindings/%2F", "guest", "guest");
        boolean explicit = false;
        boolean implicit = false;
        for (JsonNode b : bindings) {
            explicit |= b.get("source").asText().equals("amq.fanout") && b.get("destination").asText().equals("mq-a")
                    && b.get("destination_type").asText().equals("queue");
            implicit |= b.get("source").asText().isEmpty() && b.get("destination").asText().equals("mq-b")
                    && b.get("routing_key").asText().equals("mq-b");
        }
        assertTrue(explicit && implicit, bindings.toString());

        JsonNode connections = getJson("/api/connections", "guest", "guest");
        assertEquals(1, connections.size(), connections.toString());
        JsonNode c = connections.get(0);
        assertEquals("guest", c.get("user").asText());
        assertEquals("/", c.get("vhost").asText());
        assertEquals("127.0.0.1", c.get("peer_host").asText());
        assertEquals(2, c.get("channels").asInt(), "the setup opened two channels");
        assertEquals(selfAddress, c.get("node").asText());
        assertEquals(200, get("/api/connections/" + java.net.URLEncoder.encode(c.get("name").asText(), StandardCharsets.UTF_8).replace("+", "%20"), "guest", "guest").statusCode());

        JsonNode vhosts = getJson("/api/vhosts", "guest", "guest");
        assertEquals(1, vhosts.size());
        assertEquals("/", vhosts.get(0).get("name").asText());
    }

    @Test
    void metricsAreThisNodesFiguresInPrometheusText() throws Exception {
        awaitJson("/api/queues/%2F/mq-a", q -> q.path("messages").asInt() == 3);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        assertEquals(3.0, samples.get("warren_queue_messages_ready{vhost=\"/\",queue=\"mq-a\"}"));
        assertEquals(1.0, samples.get("warren_queue_messages_unacked{vhost=\"/\",queue=\"mq-b\"}"));
        assertEquals(0.0, samples.get("warren_queue_consumers{vhost=\"/\",queue=\"mq-a\"}"));
        assertEquals(3.0, samples.get("warren_queue_published_total{vhost=\"/\",queue=\"mq-a\"}"));
        assertEquals(1.0, samples.get("warren_connections"));
        assertEquals(1.0, samples.get("warren_cluster_members"));
        assertTrue(samples.get("jvm_memory_heap_used_bytes") > 0);
        assertTrue(samples.containsKey("jvm_memory_heap_max_bytes"));
    }

    @Test
    void dashboardIsServedWithoutAuthAndPollsTheApi() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(uri("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("<html") && page.body().contains("api/queues"));
        assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no external URLs");
    }

    @Test
    void pekkoManagementAnswersAliveAndReady() throws Exception {
        assertEquals(200, awaitStatus("http://127.0.0.1:" + pekkoManagementPort + "/alive", 200));
        assertEquals(200, awaitStatus("http://127.0.0.1:" + pekkoManagementPort + "/ready", 200));
        AmqpReadiness readiness = AmqpReadiness.get(node.system().classicSystem());
        try {
            readiness.listening(false); // what a stop does first
            // Pekko Management answers a failed check with 500
            assertEquals(500, awaitStatus("http://127.0.0.1:" + pekkoManagementPort + "/ready", 500));
        } finally {
            readiness.listening(true);
        }
        assertEquals(200, awaitStatus("http://127.0.0.1:" + pekkoManagementPort + "/ready", 200));
    }

    @Test
    void nodeStatsMessagesCrossNodesAsJacksonCbor() throws Exception {
        var serialization = org.apache.pekko.serialization.SerializationExtension.get(node.system().classicSystem());
        org.apache.pekko.actor.typed.ActorRef<NodeReport> replyTo = node.system().systemActorOf(
                org.apache.pekko.actor.typed.javadsl.Behaviors.ignore(), "serialization-probe",
                org.apache.pekko.actor.typed.Props.empty());
        NodeReport report = new NodeReport(selfAddress, "n1", 1234, 2, java.util.List.of(
                new QueueFigures("/", "q", true, false, false, 1, 2, 3, 4, 5, 6, 7),
                new QueueFigures("/", "args", true, false, false, 1, 2, 3, 4, 5, 6, 7,
                        java.util.Map.of("x-message-ttl", 60000, "x-dead-letter-exchange", "dlx", "x-single-active-consumer", true))),
                java.util.List.of(
                new ConnectionFigures("c1", "1.2.3.4:5 -> n1", "guest", "/", "1.2.3.4:5", 99, java.util.Map.of("product", "p"), 1, 4096, 2047, 60,
                        java.util.List.of(new ChannelFigures(1, 7, 0, true, false, 3, 1, java.util.List.of(
                                new ChannelFigures.ConsumerFigures("ctag", "q", true, 7, false, 2)))))),
                java.util.List.of("journal"), "the journal database is unreachable",
                new NodeResources(100_000_000L, 1L << 33, 120, 65536, 5_000_000_000L));
        for (Object message : java.util.List.of(new NodeStats.GetReport(replyTo), report)) {
            var serializer = serialization.findSerializerFor(message);
            assertTrue(serializer.getClass().getSimpleName().contains("JacksonCbor"), serializer.getClass().getName());
            byte[] bytes = serialization.serialize(message).get();
            String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, message);
            assertEquals(message, serialization.deserialize(bytes, serializer.identifier(), manifest).get());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static java.util.Set<String> names(JsonNode queues) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        queues.forEach(q -> names.add(q.get("name").asText()));
        return names;
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String path, String user, String password) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", basic(user, password)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(String path, String user, String password) throws Exception {
        HttpResponse<String> response = get(path, user, password);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** Queue figures follow commands asynchronously: poll until they show what the test did. */
    private static JsonNode awaitJson(String path, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(path, "guest", "guest");
            if (response.statusCode() == 200) {
                last = JSON.readTree(response.body());
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " never matched; last answer: " + last);
    }

    private static int awaitStatus(String url, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = -1;
        while (System.nanoTime() < deadline) {
            try {
                status = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == expected) {
                    return status;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return status;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
