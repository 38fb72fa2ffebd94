package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 queues stay usable through the API: paged, filtered and sorted listings answer while every queue runs,
 * and paging through all of them sees each queue once. Prints the time per page (the figure in docs/MANAGEMENT.md).
 */
class ManyQueuesListingTest {
    private static final int QUEUES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Path dataDir;
    private static ManagementTestNode warren;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("warren-many-queues-test");
        warren = ManagementTestNode.start(dataDir, "");
    }

    @AfterAll
    static void stop() throws Exception {
        if (warren != null) warren.close();
        ManagementTestNode.delete(dataDir);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void tenThousandQueuesArePagedFilteredAndSorted() throws Exception {
        long declareStart = System.nanoTime();
        try (Connection c = warren.connect("guest", "guest", "/")) {
            Channel ch = c.createChannel();
            for (int i = 0; i < QUEUES; i++) {
                ch.queueDeclareNoWait(String.format("many-%05d", i), false, false, false, null);
            }
            ch.queueDeclare("many-last", false, false, false, null); // answered after every earlier declare
        }
        long declared = System.nanoTime();
        System.out.printf("declared %d queues in %.1f s%n", QUEUES + 1, (declared - declareStart) / 1e9);

        Set<String> seen = new HashSet<>();
        long slowest = 0;
        long total = 0;
        int pages = 0;
        for (int page = 1; ; page++) {
            long t0 = System.nanoTime();
            JsonNode answer = get("/api/queues/%2F?page=" + page + "&page_size=500&name=many-&sort=name&columns=name,messages,state");
            long took = System.nanoTime() - t0;
            slowest = Math.max(slowest, took);
            total += took;
            pages++;
            assertEquals(QUEUES + 1, answer.get("filtered_count").asInt());
            answer.get("items").forEach(q -> seen.add(q.get("name").asText()));
            if (page >= answer.get("page_count").asInt()) break;
        }
        assertEquals(QUEUES + 1, seen.size(), "every queue once");
        System.out.printf("paged %d queues in %d pages of 500: %.0f ms per page on average, slowest %.0f ms%n",
                QUEUES + 1, pages, total / 1e6 / pages, slowest / 1e6);

        long t0 = System.nanoTime();
        JsonNode filtered = get("/api/queues?page=1&page_size=100&name=%5Emany-0999%5Cd%24&use_regex=true&sort=name&sort_reverse=true");
        System.out.printf("regex filter over all queues: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        assertEquals(10, filtered.get("filtered_count").asInt());
        assertEquals("many-09999", filtered.get("items").get(0).get("name").asText());
        t0 = System.nanoTime();
        JsonNode overview = get("/api/overview");
        System.out.printf("overview: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        assertTrue(overview.path("object_totals").path("queues").asInt() >= QUEUES + 1);
    }

    private static JsonNode get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(warren.url() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }
}
