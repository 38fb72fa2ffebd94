package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.ShutdownSignalException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real node: /api/channels and /api/consumers with RabbitMQ's fields, paging, sorting, filtering and columns on
 * list endpoints, message_stats rates, node resources, queue arguments in listings and in the definitions export
 * (also of a passivated queue), and deleting a vhost closing its connections with 320.
 */
class ListingsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Path dataDir;
    private static ManagementTestNode warren;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("warren-listings-test");
        // idle queues passivate quickly, so the export of a passivated queue's arguments is tested
        warren = ManagementTestNode.start(dataDir, "warren.persistence.passivate-idle-queues-after = 1s");
    }

    @AfterAll
    static void stop() throws Exception {
        if (warren != null) warren.close();
        ManagementTestNode.delete(dataDir);
    }

    @Test
    void channelsAndConsumersAreListedWithRabbitmqFields() throws Exception {
        try (Connection c = connection("channels-client")) {
            Channel consuming = c.createChannel();
            consuming.basicQos(7);
            consuming.queueDeclare("listed-consumed", false, false, true, null);
            String tag = consuming.basicConsume("listed-consumed", false, "listed-tag", new DefaultConsumer(consuming));
            Channel confirming = c.createChannel();
            confirming.confirmSelect();
            confirming.basicQos(11, true);
            String cname = connectionName(c);

            JsonNode channels = await("/api/channels", list -> count(list, n -> n.path("connection_details").path("name")
                    .asText().contains(cname) && n.path("consumer_count").asInt() == 1) == 1
                    && count(list, n -> n.path("confirm").asBoolean()) >= 1);
            JsonNode consumingView = find(channels, n -> n.path("number").asInt() == consuming.getChannelNumber()
                    && n.path("connection_details").path("name").asText().equals(cname));
            assertEquals(cname + " (" + consuming.getChannelNumber() + ")", consumingView.get("name").asText());
            assertEquals("guest", consumingView.get("user").asText());
            assertEquals("/", consumingView.get("vhost").asText());
            assertEquals(7, consumingView.get("prefetch_count").asInt());
            assertEquals(0, consumingView.get("global_prefetch_count").asInt());
            assertFalse(consumingView.get("confirm").asBoolean());
            assertFalse(consumingView.get("transactional").asBoolean());
            assertEquals(1, consumingView.get("consumer_count").asInt());
            assertEquals("running", consumingView.get("state").asText());
            assertTrue(consumingView.path("connection_details").path("peer_port").asInt() > 0);
            JsonNode confirmingView = find(channels, n -> n.path("number").asInt() == confirming.getChannelNumber()
                    && n.path("connection_details").path("name").asText().equals(cname));
            assertTrue(confirmingView.get("confirm").asBoolean());
            assertEquals(11, confirmingView.get("global_prefetch_count").asInt());

            String channelName = encode(consumingView.get("name").asText());
            assertEquals(consuming.getChannelNumber(), get("/api/channels/" + channelName).get("number").asInt());
            assertEquals(2, get("/api/connections/" + encode(cname) + "/channels").size());
            assertEquals(404, send("GET", "/api/channels/nope", null).statusCode());

            JsonNode consumer = find(get("/api/consumers/%2F"), n -> n.get("consumer_tag").asText().equals(tag));
            assertEquals("listed-consumed", consumer.path("queue").path("name").asText());
            assertEquals("/", consumer.path("queue").path("vhost").asText());
            assertTrue(consumer.get("ack_required").asBoolean());
            assertEquals(7, consumer.get("prefetch_count").asInt());
            assertFalse(consumer.get("exclusive").asBoolean());
            assertEquals(consumingView.get("name").asText(), consumer.path("channel_details").path("name").asText());
            assertEquals(cname, consumer.path("channel_details").path("connection_name").asText());
            assertTrue(find(get("/api/consumers"), n -> n.get("consumer_tag").asText().equals(tag)) != null);

            consuming.basicCancel(tag);
            await("/api/consumers", list -> count(list, n -> n.get("consumer_tag").asText().equals(tag)) == 0);
        }
    }

    @Test
    void listsArePagedSortedFilteredAndProjected() throws Exception {
        try (Connection c = connection("paging-client")) {
            Channel ch = c.createChannel();
            for (int i = 0; i < 25; i++) ch.queueDeclare(String.format("paged-%02d", i), false, false, false, null);
            ch.queueDeclare("PAGED-upper", false, false, false, null);
        }
        JsonNode page = get("/api/queues/%2F?page=2&page_size=10&name=paged-&sort=name&columns=name,messages");
        assertEquals(26, page.get("filtered_count").asInt(), "the name filter is a case-insensitive substring");
        assertEquals(10, page.get("item_count").asInt());
        assertEquals(2, page.get("page").asInt());
        assertEquals(10, page.get("page_size").asInt());
        assertEquals(3, page.get("page_count").asInt());
        assertTrue(page.get("total_count").asInt() >= 26);
        // sorted by name, upper case first: PAGED-upper, paged-00, ..., so page 2 starts with paged-09
        assertEquals("paged-09", page.get("items").get(0).get("name").asText());
        assertEquals(List.of("name", "messages"), fields(page.get("items").get(0)));

        JsonNode regex = get("/api/queues?page=1&name=%5Epaged-1%5B0-4%5D%24&use_regex=true&sort=name&sort_reverse=true");
        assertEquals(5, regex.get("filtered_count").asInt());
        assertEquals("paged-14", regex.get("items").get(0).get("name").asText());

        JsonNode plain = get("/api/queues/%2F?sort=messages&columns=name,message_stats.publish");
        assertTrue(plain.isArray());
        assertTrue(plain.get(0).has("name"));

        HttpResponse<String> bad = send("GET", "/api/queues?page=0", null);
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("invalid_pagination_parameters", JSON.readTree(bad.body()).get("error").asText());
        assertEquals("Invalid pagination parameters: page number 0, page size undefined",
                JSON.readTree(bad.body()).get("reason").asText());
        assertEquals(400, send("GET", "/api/queues?page=1&page_size=501", null).statusCode());
        HttpResponse<String> outOfRange = send("GET", "/api/queues/%2F?page=4&page_size=10&name=paged-", null);
        assertEquals(400, outOfRange.statusCode());
        assertEquals("Page out of range, page: 4 page size: 10, len: 26", JSON.readTree(outOfRange.body()).get("reason").asText());
        JsonNode none = get("/api/queues?page=1&name=no-such-queue-name");
        assertEquals(0, none.get("filtered_count").asInt());
        assertEquals(0, none.get("items").size());
        assertEquals(400, send("GET", "/api/queues?page=1&name=%5B&use_regex=true", null).statusCode());

        JsonNode exchanges = get("/api/exchanges/%2F?page=1&page_size=2&sort=name");
        assertEquals(2, exchanges.get("items").size());
        assertEquals("", exchanges.get("items").get(0).get("name").asText());
        assertTrue(get("/api/bindings?page=1&page_size=5").get("items").size() <= 5);
        assertNotNull(get("/api/connections?page=1").get("items"));
        assertNotNull(get("/api/channels?page=1").get("items"));
        assertNotNull(get("/api/consumers?page=1").get("items"));
    }

    @Test
    void messageStatsCountAndRate() throws Exception {
        try (Connection c = connection("stats-client")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("stats-q", false, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 10; i++) ch.basicPublish("", "stats-q", null, new byte[] {1});
            ch.waitForConfirmsOrDie(10_000);
            JsonNode before = get("/api/queues/%2F/stats-q");
            assertEquals(10, before.path("message_stats").path("publish").asLong());
            get("/api/overview");
            get("/api/vhosts");
            Thread.sleep(1500);
            for (int i = 0; i < 30; i++) ch.basicPublish("", "stats-q", null, new byte[] {1});
            ch.waitForConfirmsOrDie(10_000);
            JsonNode after = get("/api/queues/%2F/stats-q");
            assertEquals(40, after.path("message_stats").path("publish").asLong());
            double rate = after.path("message_stats").path("publish_details").path("rate").asDouble();
            assertTrue(rate > 0 && rate <= 30 / 1.5, "30 messages over at least 1.5 s: " + rate);
            JsonNode overview = get("/api/overview");
            assertTrue(overview.path("message_stats").path("publish").asLong() >= 40);
            assertTrue(overview.path("message_stats").path("publish_details").path("rate").asDouble() > 0);
            assertTrue(overview.path("message_stats").has("deliver_get_details"));
            assertTrue(overview.path("object_totals").path("channels").asInt() >= 1);
            JsonNode vhost = get("/api/vhosts/%2F");
            assertTrue(vhost.path("message_stats").path("publish_details").path("rate").asDouble() > 0);
        }
    }

    @Test
    void nodesReportMemoryDescriptorsAndDisk() throws Exception {
        JsonNode node = get("/api/nodes").get(0);
        assertTrue(node.get("mem_used").asLong() > 1_000_000, node.toString());
        assertTrue(node.get("fd_used").asLong() > 0, node.toString());
        assertTrue(node.get("fd_total").asLong() >= node.get("fd_used").asLong(), node.toString());
        assertTrue(node.get("disk_free").asLong() > 0, node.toString());
        assertTrue(node.has("sockets_used"));
    }

    @Test
    void queueArgumentsAreListedAndExportedAlsoWhenPassivated() throws Exception {
        try (Connection c = connection("arguments-client")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("args-q", true, false, false, Map.of("x-message-ttl", 60000, "x-max-length", 5,
                    "x-dead-letter-exchange", "amq.fanout"));
        }
        JsonNode listed = get("/api/queues/%2F/args-q").get("arguments");
        assertEquals(60000, listed.get("x-message-ttl").asInt());
        assertEquals(5, listed.get("x-max-length").asInt());
        assertEquals("amq.fanout", listed.get("x-dead-letter-exchange").asText());
        // the queue is idle and durable: it passivates after 1 s; the export must still carry its arguments
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!get("/api/queues/%2F/args-q").get("state").asText().equals("idle")) {
            assertTrue(System.nanoTime() < deadline, "the idle queue passivates");
            Thread.sleep(200);
        }
        JsonNode exported = find(get("/api/definitions").get("queues"), q -> q.get("name").asText().equals("args-q"));
        assertEquals(60000, exported.path("arguments").path("x-message-ttl").asInt(), exported.toString());
        assertEquals("amq.fanout", exported.path("arguments").path("x-dead-letter-exchange").asText());
    }

    @Test
    void deletingAVhostClosesItsConnectionsWith320() throws Exception {
        assertEquals(201, send("PUT", "/api/vhosts/doomed", "{}").statusCode());
        assertEquals(201, send("PUT", "/api/permissions/doomed/guest",
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").statusCode());
        Connection c = warren.connect("guest", "guest", "doomed");
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            c.addShutdownListener(closed::complete);
            c.createChannel().queueDeclare("in-doomed", false, false, false, null);
            assertEquals(204, send("DELETE", "/api/vhosts/doomed", null).statusCode());
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
            assertEquals(320, close.getReplyCode());
            assertEquals("CONNECTION_FORCED - vhost 'doomed' is deleted", close.getReplyText());
        } finally {
            c.abort();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Connection connection(String name) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(warren.node.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection(name);
    }

    /** The connection's name as the API gives it ("client host:port -> node"), found by its client-given name. */
    private static String connectionName(Connection c) throws Exception {
        for (JsonNode n : get("/api/connections")) {
            if (n.path("client_properties").path("connection_name").asText().equals(c.getClientProvidedName())) {
                return n.get("name").asText();
            }
        }
        throw new AssertionError("connection not listed");
    }

    private static JsonNode await(String path, Predicate<JsonNode> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(path);
            if (ready.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError(path + " never became as expected: " + last);
    }

    private static int count(JsonNode list, Predicate<JsonNode> p) {
        int n = 0;
        for (JsonNode item : list) if (p.test(item)) n++;
        return n;
    }

    private static JsonNode find(JsonNode list, Predicate<JsonNode> p) {
        for (JsonNode item : list) if (p.test(item)) return item;
        return null;
    }

    private static List<String> fields(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(warren.url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
