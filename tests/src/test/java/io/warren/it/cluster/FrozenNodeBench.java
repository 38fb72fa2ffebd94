package io.warren.it.cluster;

import static io.warren.it.cluster.NodeLogTimeline.add;
import static io.warren.it.cluster.NodeLogTimeline.firstAfter;
import static io.warren.it.cluster.NodeLogTimeline.lastAfter;
import static io.warren.it.cluster.NodeLogTimeline.median;
import static io.warren.it.cluster.NodeLogTimeline.ms;
import static io.warren.it.cluster.NodeLogTimeline.worst;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12's frozen node, measured: five {@code kill -STOP}s of 30 s, each followed by {@code kill -CONT}, on one
 * three-node cluster over PostgreSQL whose nodes are supervised as in production ({@link NodeSupervisor}: a node
 * that takes itself out with exit code 3 is started again), under confirmed publishing and manual-ack consuming on
 * ten durable queues ({@link FailoverWorkload}, a new set per round). The rounds
 * ({@code -Dwarren.bench.frozen.rounds}, default all five, in this order):
 * <ul>
 *   <li>{@code member}: a node that does not run the queue shard coordinator;</li>
 *   <li>{@code coordinator}: the node that runs it (the coordinator moves to a survivor);</li>
 *   <li>{@code after-restart}: another node is killed (-9) and started again, and a third one is frozen as soon as
 *       the restarted node serves (Up, its routing tables loaded);</li>
 *   <li>{@code restarted}: a node is killed and started again before the round's queues are declared (so that it
 *       gets some of them), and frozen while it serves and journals them;</li>
 *   <li>{@code member-again}: a plain freeze of another member.</li>
 *   <li>{@code rebalancing} (not in the default set): as {@code after-restart}, but the third node is frozen as
 *       soon as the leader moves the restarted node to Up, before the coordinator's next rebalance tick (run it with
 *       {@code pekko.cluster.sharding.rebalance-interval=1s} in the node settings), so that a rebalance toward the
 *       restarted node starts from the frozen one: Pekko's RebalanceWorker then waits for
 *       {@code handoff-timeout}.</li>
 * </ul>
 * Every victim hosts queues with traffic when it is frozen (its journal writes are in flight). Per round, in ms after
 * the STOP (node logs, as {@link FailoverBench} reads them): a survivor marks it unreachable, the resolver's downing,
 * the journal fence, the leader's removal, the coordinator's hand-over (when it moved), the last shard allocation,
 * the last recovery of the victim's queues on a survivor, the slowest publisher's first confirm (its batch in flight
 * held messages for the victim's queues: the channels' re-send path, or a client reconnecting from the frozen node), and each of the victim's queues' first
 * delivery of a message published after the STOP (from the clients); then lost messages (must be 0), deliveries
 * repeated with and without the redelivered flag, the resumed node's exit (code and ms after CONT) and when it served
 * again as a member (ms after CONT, restarted by the supervisor). Not a timed test: it asserts only that nothing is
 * lost, that repeats are flagged and that the resumed node exits with code 3 and comes back; the figures are for
 * reading. Excluded from the default run (tag "bench");
 * run it with
 * {@code mvn -B -o -pl tests -am test -Dtest=FrozenNodeBench -Dwarren.it.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dwarren.it.cluster-startup-seconds=400} on a loaded host). The table is also written to
 * {@code target/frozen-bench.txt}. {@code -Dwarren.bench.frozen.node-settings=key=value,key=value} passes extra
 * settings to every node (e.g. a failure detector or resolver timing to try without changing reference.conf).
 */
@Tag("bench")
class FrozenNodeBench {
    private static final int QUEUES = 10;
    private static final long WARM_UP_MS = 4_000;
    private static final long FREEZE_MS = 30_000;
    private static final long EXIT_AFTER_RESUME_MS = 60_000;
    private static final List<String> ROUNDS = Arrays.asList(System.getProperty("warren.bench.frozen.rounds",
            "member,coordinator,after-restart,restarted,member-again").split(","));

    private ClusterUnderTest cluster;
    private NodeSupervisor supervisor;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void fiveFreezesOfThirtySeconds() throws Exception {
        Path logback = NodeLogTimeline.writeLogbackConfig("frozen-bench");
        Map<String, String> settings = new HashMap<>(Map.of("pekko.loglevel", "DEBUG"));
        settings.putAll(nodeSettings());
        List<String> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, List<Long>> phases = new LinkedHashMap<>();
        List<Long> victimQueues = new ArrayList<>();
        rows.add(String.format("%-3s %-13s %-6s %-7s %7s %7s %6s %7s %11s %10s %8s %7s %8s %-40s %4s %6s %5s %-14s %7s %s",
                "run", "round", "victim", "restart", "unreach", "downing", "fence", "removal", "coordinator", "allocation",
                "recovery", "pub-cnf", "delivery", "its queues' first delivery", "lost", "redel", "unflg", "exit", "back", "load"));
        try (ClusterUnderTest c = ClusterUnderTest.start("frozen-bench", 3, settings,
                List.of("-Dlogback.configurationFile=" + logback))) {
            cluster = c;
            supervisor = NodeSupervisor.watch(cluster);
            int previousVictim = 0;
            for (int run = 1; run <= ROUNDS.size(); run++) {
                String round = ROUNDS.get(run - 1).strip();
                Round r = freeze(run, round, previousVictim);
                previousVictim = r.victim();
                rows.add(r.row());
                System.out.println("[frozen-bench] " + r.row() + "\n  " + r.report());
                // Also as it goes, for reading while the bench runs (surefire shows its output only at the end).
                Files.writeString(Paths.get("target", "frozen-bench-progress.txt"), r.row() + "\n  " + r.report() + "\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                r.phases().forEach((phase, value) -> add(phases, phase, value));
                victimQueues.addAll(r.victimQueueMillis());
                failures.addAll(r.failures());
            }
        } finally {
            if (supervisor != null) supervisor.close();
            StringBuilder out = new StringBuilder();
            out.append("Frozen node (kill -STOP 30 s, then -CONT), ms after the STOP (node logs; delivery: the clients)")
                    .append(", node settings ").append(nodeSettings()).append(":\n");
            rows.forEach(row -> out.append(row).append('\n'));
            out.append("\nmedian / worst per phase:");
            phases.forEach((phase, values) -> out.append(' ').append(phase).append(' ')
                    .append(median(values)).append('/').append(worst(values)).append(';'));
            out.append("\nthe victims' queues (").append(victimQueues.size()).append("): first delivery after the STOP median ")
                    .append(median(victimQueues)).append(", worst ").append(worst(victimQueues)).append('\n');
            if (!failures.isEmpty()) out.append("failures:\n  ").append(String.join("\n  ", failures)).append('\n');
            System.out.println(out);
            Files.writeString(Paths.get("target", "frozen-bench.txt"), out.toString(), StandardCharsets.UTF_8);
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
    }

    /** What one round measured: the table row, the phases (ms after the STOP), and what went wrong. */
    private record Round(int victim, String row, String report, Map<String, OptionalLong> phases,
                         List<Long> victimQueueMillis, List<String> failures) {}

    /** Waits up to 90 s for a node to log a line with every one of {@code texts} at or after {@code since}. */
    private void awaitLine(long since, String... texts) throws InterruptedException {
        if (NodeLogTimeline.awaitFirstAfter(cluster, since, 90_000,
                line -> java.util.Arrays.stream(texts).allMatch(line::contains)).isEmpty()) {
            throw new IllegalStateException("no node logged " + java.util.Arrays.toString(texts) + " within 90 s");
        }
    }

    private Round freeze(int run, String round, int previousVictim) throws Exception {
        for (ClusterNode node : cluster.nodes()) cluster.awaitRoundTrip(node.index()); // three serving members
        String prefix = "frz" + run;
        List<String> failures = new ArrayList<>();
        int coordinator = Math.max(1, cluster.coordinatorNode());
        int notCoordinator = otherThan(coordinator, previousVictim);
        int restarted = 0;
        int victim;
        switch (round) {
            case "member", "member-again" -> victim = notCoordinator;
            case "coordinator" -> victim = coordinator;
            case "after-restart", "rebalancing" -> {
                restarted = notCoordinator;
                victim = otherThan(coordinator, restarted);
            }
            case "restarted" -> {
                // Restarted before the workload declares its queues: the restarted node, with the fewest shards,
                // gets new ones, so it is frozen while it serves and journals queues of its own.
                restarted = notCoordinator;
                victim = restarted;
                cluster.kill(restarted);
                cluster.restart(restarted);
            }
            default -> throw new IllegalArgumentException("unknown round " + round);
        }
        try (FailoverWorkload workload = FailoverWorkload.start(cluster, prefix, QUEUES, false)) {
            Thread.sleep(WARM_UP_MS);
            long deadline = System.currentTimeMillis() + 30_000;
            while (workload.confirmedCount() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(200);
            if (round.equals("after-restart")) {
                cluster.kill(restarted);
                cluster.restart(restarted); // returns once it serves: a member with its routing tables
            } else if (round.equals("rebalancing")) {
                long killedAt = System.currentTimeMillis();
                cluster.kill(restarted);
                awaitLine(killedAt, "Leader is removing", cluster.node(restarted).remoteAddress());
                long launchedAt = System.currentTimeMillis();
                cluster.node(restarted).launch();
                awaitLine(launchedAt, "to [Up]", cluster.node(restarted).remoteAddress());
            }
            String victimAddress = cluster.node(victim).remoteAddress();
            long pid = cluster.node(victim).pid();
            FrozenNodeTest.signal("STOP", pid);
            long t0 = System.currentTimeMillis();
            workload.mark(t0);
            Map<String, Integer> hosts = NodeLogTimeline.hostsBefore(cluster, t0, prefix);
            try {
                while (!workload.everyQueueDeliversAfterMark() && System.currentTimeMillis() < t0 + FREEZE_MS) {
                    Thread.sleep(100);
                }
                Thread.sleep(Math.max(0, t0 + FREEZE_MS - System.currentTimeMillis()));
            } finally {
                FrozenNodeTest.signal("CONT", pid);
            }
            long resumedAt = System.currentTimeMillis();

            // The resumed node takes itself out (code 3); the supervisor starts it again; it serves as a member.
            List<NodeSupervisor.Exit> exits = List.of();
            while (System.currentTimeMillis() < resumedAt + EXIT_AFTER_RESUME_MS) {
                exits = supervisor.exitsOf(victim, t0);
                if (!exits.isEmpty()) break;
                Thread.sleep(100);
            }
            String exit = exits.isEmpty() ? "none" : exits.get(0).code() + " +" + (exits.get(0).at() - resumedAt);
            long back = -1;
            if (!exits.isEmpty() && exits.get(0).code() == NodeSupervisor.EXIT_DOWNED) {
                try {
                    cluster.awaitRoundTrip(victim);
                    back = System.currentTimeMillis() - resumedAt;
                } catch (IllegalStateException e) {
                    failures.add("run " + run + ": node " + victim + " did not serve again: " + e.getMessage());
                }
            } else {
                failures.add("run " + run + ": node " + victim + " did not exit with code 3 within "
                        + EXIT_AFTER_RESUME_MS + " ms of -CONT: " + exits);
                if (!cluster.node(victim).isRunning()) cluster.restart(victim);
            }

            Thread.sleep(2_000);
            workload.stopPublishing();
            Set<String> lost = workload.awaitDrained(20_000, 90_000);
            FailoverWorkload.Report report = workload.report();

            Map<String, OptionalLong> p = new LinkedHashMap<>();
            p.put("unreachable", firstAfter(cluster, t0, line -> line.contains("Marking node as UNREACHABLE")
                    && line.contains(victimAddress)));
            p.put("downing", firstAfter(cluster, t0, line -> line.contains("SBR is downing") && line.contains(victimAddress)));
            p.put("fence", firstAfter(cluster, t0, line -> line.contains("Fenced downed") && line.contains(victimAddress)));
            p.put("removal", firstAfter(cluster, t0, line -> line.contains("Leader is removing") && line.contains(victimAddress)));
            p.put("coordinator", coordinator == victim
                    ? firstAfter(cluster, t0, line -> line.contains("queue: ShardCoordinator was moved to the active state"))
                    : OptionalLong.empty());
            p.put("allocation", lastAfter(cluster, t0, resumedAt, line -> line.contains("queue: Shard [") && line.contains("allocated at")));
            Map<String, Long> recovered = NodeLogTimeline.recoveredAfter(cluster, t0, resumedAt, prefix);
            Map<String, Long> firstDelivery = new TreeMap<>();
            long[] perQueue = report.recoveryMillis();
            List<Long> victimQueueMillis = new ArrayList<>();
            for (int q = 0; q < perQueue.length; q++) {
                String queue = prefix + "-q" + q;
                if (hosts.getOrDefault(queue, 0) != victim) continue;
                long ms = perQueue[q] < 0 ? Long.MAX_VALUE : perQueue[q];
                firstDelivery.put("q" + q, ms);
                victimQueueMillis.add(ms);
            }
            p.put("recovery", hosts.entrySet().stream().filter(e -> e.getValue() == victim && recovered.containsKey(e.getKey()))
                    .mapToLong(e -> recovered.get(e.getKey())).max());
            p.put("delivery", victimQueueMillis.stream().mapToLong(Long::longValue).max());
            // The slowest publisher's first confirm after the STOP: a batch in flight then held messages for the
            // victim's queues (the channels' re-send path); a publisher connected to the frozen node (after an earlier
            // failover, too) waits for its client's heartbeat timeout and a reconnect first.
            p.put("confirm", cluster.nodes().stream().filter(n -> n.index() != victim)
                    .mapToLong(n -> workload.firstConfirmAfterMillis(n.index(), t0))
                    .map(ms -> ms < 0 ? Long.MAX_VALUE : ms).max());

            String row = String.format("%-3d %-13s %-6d %-7s %7s %7s %6s %7s %11s %10s %8s %7s %8s %-40s %4d %6d %5d %-14s %7s %s",
                    run, round, victim, restarted == 0 ? "-" : "node" + restarted, ms(p.get("unreachable")), ms(p.get("downing")), ms(p.get("fence")),
                    ms(p.get("removal")), ms(p.get("coordinator")), ms(p.get("allocation")), ms(p.get("recovery")), never(p.get("confirm")), never(p.get("delivery")),
                    firstDelivery.toString().replace(" ", "").replace(String.valueOf(Long.MAX_VALUE), "never"), lost.size(), report.redelivered(),
                    report.repeatsWithoutFlag(), exit, back < 0 ? "never" : String.valueOf(back), loadAverage());
            String summary = "round " + round + " at " + Instant.ofEpochMilli(t0) + ", coordinator before: node "
                    + coordinator + ", hosts before: " + new TreeMap<>(hosts) + "; exits " + exits + "; " + report;
            if (!lost.isEmpty()) failures.add("run " + run + ": " + lost.size() + " confirmed messages lost: " + summary);
            if (report.repeatsWithoutFlag() != 0) failures.add("run " + run + ": repeats without the redelivered flag: " + summary);
            if (victimQueueMillis.isEmpty()) failures.add("run " + run + ": node " + victim + " hosted none of the queues: " + summary);
            return new Round(victim, row, summary, p, victimQueueMillis, failures);
        }
    }

    private static String never(OptionalLong value) {
        return value.isPresent() && value.getAsLong() == Long.MAX_VALUE ? "never" : ms(value);
    }

    /** A node that is neither {@code a} nor {@code b} (the highest such: with three nodes, the one left when a != b). */
    private int otherThan(int a, int b) {
        for (int n = cluster.size(); n >= 1; n--) {
            if (n != a && n != b) return n;
        }
        return a;
    }

    private static Map<String, String> nodeSettings() {
        Map<String, String> settings = new TreeMap<>();
        String spec = System.getProperty("warren.bench.frozen.node-settings", "");
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) settings.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return settings;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + "/" + parts[1];
        } catch (IOException e) {
            return "?";
        }
    }
}
