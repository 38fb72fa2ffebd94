package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    /** A sample line of the text format: name, optional {labels}, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? -?[0-9.eE+-]+");

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", PrometheusMetrics.escape("a\\b\"c\nd"));
    }

    @Test
    void everyLineIsACommentOrAWellFormedSampleAndEachQueueHasItsSeries() {
        NodeReport node = new NodeReport("pekko://warren@h:1", "n", 2500, 3, List.of(
                new QueueFigures("/", "odd \"name\"\\", true, false, false, 7, 1, 70, 2, 9, 8, 7),
                new QueueFigures("v2", "q", false, false, true, 0, 0, 0, 0, 0, 0, 0)), List.of(), List.of(), "");
        String text = PrometheusMetrics.render(node, 2);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || SAMPLE.matcher(line).matches(), line);
        }
        assertTrue(text.contains("warren_queue_messages_ready{vhost=\"/\",queue=\"odd \\\"name\\\"\\\\\"} 7\n"), text);
        assertTrue(text.contains("warren_queue_messages_unacked{vhost=\"v2\",queue=\"q\"} 0\n"));
        assertTrue(text.contains("warren_connections 3\n"));
        assertTrue(text.contains("warren_cluster_members 2\n"));
        assertTrue(text.contains("warren_uptime_seconds 2.5\n"));
        assertTrue(text.contains("# TYPE warren_queue_published_total counter\n"));
    }
}
