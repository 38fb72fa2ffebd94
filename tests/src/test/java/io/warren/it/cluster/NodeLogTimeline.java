package io.warren.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failover's phases read from the node logs: every node's lines carry a wall-clock stamp (the logback config
 * below), so "ms after the disruption" of the first or last line that matches is a phase. Shared by the failover
 * benches (kill -9 and kill -STOP), which also share how their figures are summed up (median and worst).
 */
final class NodeLogTimeline {
    private static final Pattern RECOVERED = Pattern.compile("queue '([^']+)' in vhost '[^']*' recovered to sequence");

    private NodeLogTimeline() {}

    /**
     * The brokers' console logging with a wall-clock stamp on every line, plus DEBUG for the shard coordinator,
     * regions and shards (so that allocations and entity starts, with their remember-entities writes, show) and for
     * Warren (queue recoveries). Returns the file, for
     * {@code -Dlogback.configurationFile}.
     */
    static Path writeLogbackConfig(String name) throws IOException {
        Path dir = Paths.get(System.getProperty("warren.it.logs", "target/warren-logs"));
        Files.createDirectories(dir);
        Path file = dir.resolve(name + "-logback.xml");
        Files.writeString(file, """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.pekko" level="INFO"/>
                  <logger name="org.apache.pekko.cluster.sharding.DDataShardCoordinator" level="DEBUG"/>
                  <logger name="org.apache.pekko.cluster.sharding.ShardCoordinator" level="DEBUG"/>
                  <logger name="org.apache.pekko.cluster.sharding.ShardRegion" level="DEBUG"/>
                  <logger name="org.apache.pekko.cluster.sharding.Shard" level="DEBUG"/>
                  <logger name="io.warren" level="DEBUG"/>
                  <logger name="slick" level="WARN"/>
                  <logger name="com.zaxxer.hikari" level="WARN"/>
                  <root level="INFO"><appender-ref ref="STDOUT"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
        return file;
    }

    /** Per queue named {@code prefix-q<i>} that recovered in [t0, until]: ms from t0 to its first such recovery. */
    static Map<String, Long> recoveredAfter(ClusterUnderTest cluster, long t0, long until, String prefix) {
        Map<String, Long> result = new HashMap<>();
        forEachStampedLine(cluster, (t, line) -> {
            if (t < t0 || t > until) return;
            Matcher m = RECOVERED.matcher(line);
            if (m.find() && m.group(1).startsWith(prefix + "-q")) result.merge(m.group(1), t - t0, Math::min);
        });
        return result;
    }

    /** How many lines matching {@code match} the nodes logged at or after {@code t0}. */
    static int countSince(ClusterUnderTest cluster, long t0, Predicate<String> match) {
        return stamps(cluster, t0, Long.MAX_VALUE, match).size();
    }

    /** ms from {@code t0} to the earliest matching log line stamped at or after it, on any node. */
    static OptionalLong firstAfter(ClusterUnderTest cluster, long t0, Predicate<String> match) {
        return stamps(cluster, t0, Long.MAX_VALUE, match).stream().mapToLong(t -> t - t0).min();
    }

    /**
     * As {@link #firstAfter}, waiting up to {@code timeoutMillis} for such a line (checked every 100 ms); empty when
     * none came.
     */
    static OptionalLong awaitFirstAfter(ClusterUnderTest cluster, long t0, long timeoutMillis, Predicate<String> match)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            OptionalLong first = firstAfter(cluster, t0, match);
            if (first.isPresent() || System.currentTimeMillis() >= deadline) return first;
            Thread.sleep(100);
        }
    }

    /** ms from {@code t0} to the latest matching log line stamped in [t0, until], on any node. */
    static OptionalLong lastAfter(ClusterUnderTest cluster, long t0, long until, Predicate<String> match) {
        return stamps(cluster, t0, until, match).stream().mapToLong(t -> t - t0).max();
    }

    /** The matching lines stamped in [from, until], on any node, in no particular order. */
    static List<String> lines(ClusterUnderTest cluster, long from, long until, Predicate<String> match) {
        List<String> lines = new ArrayList<>();
        forEachStampedLine(cluster, (t, line) -> {
            if (t >= from && t <= until && match.test(line)) lines.add(line);
        });
        return lines;
    }

    private static List<Long> stamps(ClusterUnderTest cluster, long from, long until, Predicate<String> match) {
        List<Long> stamps = new ArrayList<>();
        forEachStampedLine(cluster, (t, line) -> {
            if (t >= from && t <= until && match.test(line)) stamps.add(t);
        });
        return stamps;
    }

    /**
     * Per queue named {@code prefix-q<i>}: the node whose log last said it recovered (or was created) before
     * {@code before}, i.e. the node that served it then.
     */
    static Map<String, Integer> hostsBefore(ClusterUnderTest cluster, long before, String prefix) {
        Map<String, Long> latest = new HashMap<>();
        Map<String, Integer> hosts = new HashMap<>();
        forEachStampedLine(cluster, (node, t, line) -> {
            if (t >= before) return;
            Matcher m = RECOVERED.matcher(line);
            if (!m.find() || !m.group(1).startsWith(prefix + "-q")) return;
            if (t >= latest.getOrDefault(m.group(1), Long.MIN_VALUE)) {
                latest.put(m.group(1), t);
                hosts.put(m.group(1), node);
            }
        });
        return hosts;
    }

    private interface StampedLine { void accept(long millis, String line); }

    private interface NodeStampedLine { void accept(int node, long millis, String line); }

    private static void forEachStampedLine(ClusterUnderTest cluster, StampedLine consumer) {
        forEachStampedLine(cluster, (node, t, line) -> consumer.accept(t, line));
    }

    private static void forEachStampedLine(ClusterUnderTest cluster, NodeStampedLine consumer) {
        for (ClusterNode node : cluster.nodes()) {
            for (Path log : node.logFiles()) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue;
                }
                for (String line : lines) {
                    long t = stamp(line);
                    if (t >= 0) consumer.accept(node.index(), t, line);
                }
            }
        }
    }

    /** When a broker log line was written (each starts with an ISO-8601 instant); -1 for a stack trace line or similar. */
    static long stamp(String line) {
        int space = line.indexOf(' ');
        if (space < 0) return -1;
        try {
            return OffsetDateTime.parse(line.substring(0, space)).toInstant().toEpochMilli();
        } catch (DateTimeParseException notStamped) {
            return -1;
        }
    }

    static void add(Map<String, List<Long>> phases, String phase, OptionalLong value) {
        if (value.isPresent()) phases.computeIfAbsent(phase, k -> new ArrayList<>()).add(value.getAsLong());
    }

    /** The median of {@code values} ({@link Long#MAX_VALUE} reads "never"); "-" when there are none. */
    static String median(List<Long> values) {
        if (values.isEmpty()) return "-";
        long m = values.stream().sorted().toList().get(values.size() / 2);
        return m == Long.MAX_VALUE ? "never" : String.valueOf(m);
    }

    static String worst(List<Long> values) {
        if (values.isEmpty()) return "-";
        long m = values.stream().mapToLong(Long::longValue).max().getAsLong();
        return m == Long.MAX_VALUE ? "never" : String.valueOf(m);
    }

    static String ms(OptionalLong value) {
        return value.isPresent() ? String.valueOf(value.getAsLong()) : "-";
    }
}
