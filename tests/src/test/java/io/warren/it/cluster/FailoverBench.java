package io.warren.it.cluster;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover time, measured: five kill -9 runs on one three-node cluster, each split into the phases the node
 * logs show (ms after the kill): detection (a survivor marks the node UNREACHABLE), downing (the split
 * brain resolver downs it), removal (the leader removes it), coordinator (a new queue shard coordinator is
 * active, when the dead node hosted it), last shard allocated (the coordinator's DEBUG "allocated at" lines,
 * enabled for this run only), and queue recovery as the clients see it (every queue delivers a message
 * published after the kill). Excluded from the default run (tag "bench"); run it with
 * {@code mvn -B -o -pl tests test -Dtest=FailoverBench -Dwarren.it.excludedGroups=none}.
 */
@Tag("bench")
class FailoverBench {
    private static final int RUNS = 5;
    private static final int[] VICTIMS = {3, 2, 1, 3, 2};

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void failoverTimeOverFiveKills() throws Exception {
        Path logback = writeLogbackConfig();
        List<String> rows = new ArrayList<>();
        List<Long> allQueues = new ArrayList<>();
        rows.add(String.format("%-4s %-6s %-5s %10s %9s %9s %12s %12s %14s %6s %6s",
                "run", "victim", "coord", "detection", "downing", "removal", "coordinator", "last-shard",
                "queues-deliver", "lost", "dups"));
        try (ClusterUnderTest cluster = ClusterUnderTest.start("failover-bench", 3,
                Map.of("pekko.loglevel", "DEBUG"), List.of("-Dlogback.configurationFile=" + logback))) {
            for (int run = 1; run <= RUNS; run++) {
                cluster.ensureAllRunning();
                int victim = VICTIMS[(run - 1) % VICTIMS.length];
                FailoverScenario.Result result = FailoverScenario.run(cluster, "bench" + run, victim,
                        FailoverScenario.Disruption.KILL, false, 10, 4_000, 60_000, 1_000);
                System.out.println("run " + run + ": " + result.summary());
                String victimAddress = cluster.node(victim).remoteAddress();
                long t0 = result.disruptionMillis();
                OptionalLong detection = firstAfter(cluster, t0, line -> line.contains("Marking node as UNREACHABLE")
                        && line.contains(victimAddress));
                OptionalLong downing = firstAfter(cluster, t0, line -> (line.contains("SBR is downing")
                        || line.contains("refuses connections")) && line.contains(victimAddress));
                OptionalLong removal = firstAfter(cluster, t0, line -> line.contains("Leader is removing")
                        && line.contains(victimAddress));
                OptionalLong coordinator = result.coordinatorBefore() == victim
                        ? firstAfter(cluster, t0, line -> line.contains("queue: ShardCoordinator was moved to the active state"))
                        : OptionalLong.empty();
                OptionalLong lastShard = lastAfter(cluster, t0, t0 + 60_000,
                        line -> line.contains("queue: Shard [") && line.contains("allocated at"));
                long queues = result.report().slowestRecoveryMillis();
                for (long ms : result.report().recoveryMillis()) allQueues.add(ms < 0 ? Long.MAX_VALUE : ms);
                rows.add(String.format("%-4d %-6d %-5s %10s %9s %9s %12s %12s %14s %6d %6d", run, victim,
                        result.coordinatorBefore() == victim ? "yes" : "no", ms(detection), ms(downing), ms(removal),
                        ms(coordinator), ms(lastShard), queues < 0 ? "never" : queues + "", result.report().lost(),
                        result.report().duplicates()));
                assertTrue(result.lost().isEmpty(), () -> "run " + victim + " lost confirmed messages: " + result.summary());
            }
        } finally {
            System.out.println("Failover phases, ms after kill -9 (node logs; queues-deliver from the clients):");
            rows.forEach(System.out::println);
            if (!allQueues.isEmpty()) {
                List<Long> sorted = allQueues.stream().sorted().toList();
                System.out.println("every queue of every run (" + sorted.size() + "), ms from kill -9 to its first delivery"
                        + " of a message published after the kill: median " + sorted.get(sorted.size() / 2)
                        + ", worst " + (sorted.get(sorted.size() - 1) == Long.MAX_VALUE ? "never" : sorted.get(sorted.size() - 1)));
            }
        }
    }

    private static String ms(OptionalLong value) {
        return value.isPresent() ? String.valueOf(value.getAsLong()) : "-";
    }

    /** ms from {@code t0} to the earliest matching log line stamped at or after it, on any node. */
    private static OptionalLong firstAfter(ClusterUnderTest cluster, long t0, Predicate<String> match) {
        return stamps(cluster, t0, Long.MAX_VALUE, match).stream().mapToLong(t -> t - t0).min();
    }

    private static OptionalLong lastAfter(ClusterUnderTest cluster, long t0, long until, Predicate<String> match) {
        return stamps(cluster, t0, until, match).stream().mapToLong(t -> t - t0).max();
    }

    private static List<Long> stamps(ClusterUnderTest cluster, long from, long until, Predicate<String> match) {
        List<Long> stamps = new ArrayList<>();
        for (ClusterNode node : cluster.nodes()) {
            for (Path log : node.logFiles()) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue;
                }
                for (String line : lines) {
                    if (!match.test(line)) continue;
                    int space = line.indexOf(' ');
                    if (space < 0) continue;
                    try {
                        long t = OffsetDateTime.parse(line.substring(0, space)).toInstant().toEpochMilli();
                        if (t >= from && t <= until) stamps.add(t);
                    } catch (DateTimeParseException notStamped) {
                        // a stack trace line or similar
                    }
                }
            }
        }
        return stamps;
    }

    /** The brokers' console logging, plus DEBUG for the shard coordinator so that allocations show. */
    private static Path writeLogbackConfig() throws IOException {
        Path dir = Paths.get(System.getProperty("warren.it.logs", "target/warren-logs"));
        Files.createDirectories(dir);
        Path file = dir.resolve("failover-bench-logback.xml");
        Files.writeString(file, """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.pekko" level="INFO"/>
                  <logger name="org.apache.pekko.cluster.sharding.DDataShardCoordinator" level="DEBUG"/>
                  <logger name="org.apache.pekko.cluster.sharding.ShardCoordinator" level="DEBUG"/>
                  <logger name="org.apache.pekko.cluster.sharding.ShardRegion" level="DEBUG"/>
                  <logger name="io.warren" level="DEBUG"/>
                  <logger name="slick" level="WARN"/>
                  <logger name="com.zaxxer.hikari" level="WARN"/>
                  <root level="INFO"><appender-ref ref="STDOUT"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
        return file;
    }
}
