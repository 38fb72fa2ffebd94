package io.warren.it.cluster;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.warren.it.cluster.NodeLogTimeline.add;
import static io.warren.it.cluster.NodeLogTimeline.firstAfter;
import static io.warren.it.cluster.NodeLogTimeline.lastAfter;
import static io.warren.it.cluster.NodeLogTimeline.median;
import static io.warren.it.cluster.NodeLogTimeline.ms;
import static io.warren.it.cluster.NodeLogTimeline.recoveredAfter;
import static io.warren.it.cluster.NodeLogTimeline.worst;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover time, measured: kill -9 runs on one three-node cluster over PostgreSQL, {@code warren.bench.failover.runs}
 * (default 5) per case, the two cases alternating: the victim hosts the queue shard coordinator, or it does not.
 * Each run is split into the phases the node logs show, in ms after the kill:
 * <ul>
 *   <li>downing: a survivor downs the node (its remoting port refuses connections, or the split brain resolver);</li>
 *   <li>terminated: a survivor marks it TERMINATED (the crash path's shortcut past the failure detector) or, failing
 *       that, UNREACHABLE (the failure detector);</li>
 *   <li>removal: the leader removes it;</li>
 *   <li>coordinator: a new queue shard coordinator is active (only when the victim hosted it);</li>
 *   <li>allocation: the last queue shard allocated (the coordinator's DEBUG "allocated at" lines, on for this run);</li>
 *   <li>recovery: the last of the victim's queues recovered on a survivor (the queue's DEBUG "recovered to sequence");</li>
 *   <li>delivery: the victim's queues each deliver a message published after the kill, as the clients see it; the
 *       difference to recovery is the channels' re-attach.</li>
 * </ul>
 * It ends with the median and worst over every queue of every run, and over the victims' queues only (the others
 * never stop). Excluded from the default run (tag "bench"); run it with
 * {@code mvn -B -o -pl tests -am test -Dtest=FailoverBench -Dwarren.it.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 * The table is also written to {@code target/failover-bench.txt}.
 */
@Tag("bench")
class FailoverBench {
    private static final int RUNS_PER_CASE = Integer.getInteger("warren.bench.failover.runs", 5);
    /**
     * Each run starts once the node the run before restarted holds its share of shards again (no rebalance for
     * {@link #REBALANCE_QUIET_MS}): new queues then spread over every node, so each run's victim holds some of them.
     * {@code -Dwarren.bench.failover.settle=false} kills a few seconds after the restart instead: the restarted node,
     * still without shards, takes all the run's new queues and the lost node's shards on a cold JVM.
     */
    private static final boolean SETTLE = Boolean.parseBoolean(System.getProperty("warren.bench.failover.settle", "true"));
    /** Pekko's rebalance-interval (10 s) and some: a round that moves nothing logs nothing. */
    private static final long REBALANCE_QUIET_MS = 12_000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void failoverTimeOverKills() throws Exception {
        Path logback = NodeLogTimeline.writeLogbackConfig("failover-bench");
        List<String> rows = new ArrayList<>();
        Map<String, List<Long>> everyQueue = new LinkedHashMap<>();
        Map<String, List<Long>> victimQueues = new LinkedHashMap<>();
        Map<String, Map<String, List<Long>>> phases = new LinkedHashMap<>();
        rows.add(String.format("%-4s %-12s %-6s %8s %10s %8s %11s %10s %9s %9s %8s %5s %5s %5s",
                "run", "case", "victim", "downing", "terminated", "removal", "coordinator", "allocation", "recovery",
                "delivery", "its-qs", "lost", "dups", "load"));
        try (ClusterUnderTest cluster = ClusterUnderTest.start("failover-bench", 3,
                Map.of("pekko.loglevel", "DEBUG"), List.of("-Dlogback.configurationFile=" + logback))) {
            for (int run = 1; run <= 2 * RUNS_PER_CASE; run++) {
                long restartedAt = System.currentTimeMillis();
                boolean restarted = false;
                for (int i = 1; i <= cluster.size(); i++) restarted |= !cluster.node(i).isRunning();
                cluster.ensureAllRunning();
                if (restarted && SETTLE) awaitRebalanced(cluster, restartedAt, System.currentTimeMillis());
                boolean killCoordinator = run % 2 == 0;
                int coordinator = Math.max(1, cluster.coordinatorNode());
                int victim = killCoordinator ? coordinator : (coordinator == 3 ? 2 : 3);
                String kase = killCoordinator ? "coordinator" : "member";
                String prefix = "bench" + run;
                double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
                FailoverScenario.Result result = FailoverScenario.run(cluster, prefix, victim,
                        FailoverScenario.Disruption.KILL, false, 10, 4_000, 60_000, 1_000);
                System.out.println("run " + run + ": " + result.summary());
                String victimAddress = cluster.node(victim).remoteAddress();
                long t0 = result.disruptionMillis();
                OptionalLong downing = firstAfter(cluster, t0, line -> (line.contains("SBR is downing")
                        || line.contains("refuses connections")) && line.contains(victimAddress));
                OptionalLong terminated = firstAfter(cluster, t0, line -> (line.contains("Marking node as TERMINATED")
                        || line.contains("Marking node as UNREACHABLE")) && line.contains(victimAddress));
                OptionalLong removal = firstAfter(cluster, t0, line -> line.contains("Leader is removing")
                        && line.contains(victimAddress));
                OptionalLong coordinatorActive = result.coordinatorBefore() == victim
                        ? firstAfter(cluster, t0, line -> line.contains("queue: ShardCoordinator was moved to the active state"))
                        : OptionalLong.empty();
                OptionalLong allocation = lastAfter(cluster, t0, t0 + 60_000,
                        line -> line.contains("queue: Shard [") && line.contains("allocated at"));
                // The victim's queues are the ones that recovered again after the kill (a new incarnation).
                Map<String, Long> recoveredAt = recoveredAfter(cluster, t0, Long.MAX_VALUE, prefix);
                OptionalLong recovery = recoveredAt.values().stream().mapToLong(Long::longValue).max();
                long[] perQueue = result.report().recoveryMillis();
                long slowestOfVictim = -1;
                for (int q = 0; q < perQueue.length; q++) {
                    long ms = perQueue[q] < 0 ? Long.MAX_VALUE : perQueue[q];
                    everyQueue.computeIfAbsent(kase, k -> new ArrayList<>()).add(ms);
                    if (recoveredAt.containsKey(prefix + "-q" + q)) {
                        victimQueues.computeIfAbsent(kase, k -> new ArrayList<>()).add(ms);
                        slowestOfVictim = Math.max(slowestOfVictim, ms);
                    }
                }
                Map<String, List<Long>> p = phases.computeIfAbsent(kase, k -> new LinkedHashMap<>());
                add(p, "downing", downing);
                add(p, "terminated/unreachable", terminated);
                add(p, "removal", removal);
                add(p, "coordinator", coordinatorActive);
                add(p, "allocation", allocation);
                add(p, "recovery", recovery);
                if (slowestOfVictim >= 0) p.computeIfAbsent("delivery", k -> new ArrayList<>()).add(slowestOfVictim);
                rows.add(String.format("%-4d %-12s %-6d %8s %10s %8s %11s %10s %9s %9s %8d %5d %5d %5.1f", run, kase,
                        victim, ms(downing), ms(terminated), ms(removal), ms(coordinatorActive), ms(allocation),
                        ms(recovery), slowestOfVictim < 0 ? "-" : slowestOfVictim == Long.MAX_VALUE ? "never" : slowestOfVictim + "",
                        recoveredAt.size(), result.report().lost(), result.report().duplicates(), load));
                assertTrue(result.lost().isEmpty(), () -> "run " + victim + " lost confirmed messages: " + result.summary());
            }
        } finally {
            StringBuilder out = new StringBuilder();
            out.append("Failover phases, ms after kill -9 (node logs; delivery: the slowest of the victim's queues, from the clients):\n");
            rows.forEach(r -> out.append(r).append('\n'));
            for (String kase : phases.keySet()) {
                out.append("\ncase ").append(kase).append(", median / worst per phase:");
                phases.get(kase).forEach((phase, values) -> out.append(' ').append(phase).append(' ')
                        .append(median(values)).append('/').append(worst(values)).append(';'));
                out.append('\n');
            }
            for (String kase : everyQueue.keySet()) {
                out.append("case ").append(kase).append(": ms from kill -9 to a queue's first delivery of a message published after the kill: ")
                        .append("every queue (").append(everyQueue.get(kase).size()).append(") median ")
                        .append(median(everyQueue.get(kase))).append(", worst ").append(worst(everyQueue.get(kase)));
                List<Long> own = victimQueues.getOrDefault(kase, List.of());
                out.append("; the victim's queues (").append(own.size()).append(") median ").append(median(own))
                        .append(", worst ").append(worst(own)).append('\n');
            }
            System.out.println(out);
            Files.writeString(Paths.get("target", "failover-bench.txt"), out.toString(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits until no queue shard has been rebalanced for {@link #REBALANCE_QUIET_MS}, counted from the last move since
     * {@code restartedAt} or from {@code readyAt} if later; at most 90 s.
     */
    private static void awaitRebalanced(ClusterUnderTest cluster, long restartedAt, long readyAt) throws InterruptedException {
        long until = readyAt + 90_000;
        while (System.currentTimeMillis() < until) {
            long now = System.currentTimeMillis();
            OptionalLong lastMove = lastAfter(cluster, restartedAt, now, line -> line.contains("queue: Rebalance shard ["));
            long quietSince = Math.max(readyAt, lastMove.isPresent() ? restartedAt + lastMove.getAsLong() : 0);
            if (now - quietSince >= REBALANCE_QUIET_MS) return;
            Thread.sleep(1_000);
        }
    }
}
