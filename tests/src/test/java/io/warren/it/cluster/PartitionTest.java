package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.warren.it.BrokerUnderTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12's partitions, made with network namespaces ({@link NetworkNamespaces}: each node in its own, PostgreSQL and
 * the test's AMQP clients in the test's), under confirmed publishing and acking consumers on durable queues
 * ({@link FailoverWorkload}: one publisher and one consumer per node, each knowing every node's address). Nodes are
 * supervised as in production ({@link NodeSupervisor}: a node that exits with code 3 is started again). Scenarios:
 * a node cut from its peers; a node cut from its peers and from PostgreSQL while its AMQP clients stay connected; a
 * flapping link. Each time: no confirmed message lost; the majority's publishers never go longer than the failover
 * target without a confirm; no journal write by the cut node's incarnation after the majority removed it (a trigger
 * records which session wrote what: {@link JournalWriteAudit}); every repeated delivery flagged redelivered; and
 * after the heal the cut node is a serving member again without the test's help.
 * <p>
 * Needs root and {@code ip netns} (skipped with a message otherwise) and a Warren cluster (skipped in external mode).
 * All three are part of the default run: the two cuts since the silence path got faster (stable-after 3.5 s, no
 * removal margin after a silent node's removal), the flapping link since lost deliveries and enqueue answers are
 * repaired (see {@link #aFlappingLink()}). On a quiet machine (2026-12-07 19:43-19:49, load 8-12 from the cluster itself, about 3 min for
 * all three) the majority's longest confirm gap was 8.2 s with node 1 cut from its peers (it runs the shard
 * coordinator, whose hand-over adds about 1 s), 7.4 s cut from its peers and the database, 3.2 s flapping (nobody
 * downed); with node 3 as the victim 7.4, 7.7 and 3.3 s; 0 lost, 0 journal writes after removal, 0 unflagged
 * repeats. Before the change the same runs gave 9.3 s and 8.8 s for the cut from the peers, too thin a margin on
 * the 10 s target for the default run. What earlier runs found (2 cores, load 22-53): a
 * cut-off first seed node restarted by its supervisor formed a cluster of its own and never came back (fixed:
 * LoneNodeGuard); the majority's publishers went 9.8-13.0 s without a confirm (node 1 downed 7.9-9.6 s after the
 * cut, then its queues recover); at a load of 53 a flapping link made node 1 exit on a 3 s cut and then the Split
 * Brain Resolver down a healthy majority node with the flapping one (DownIndirectlyConnected), with repeated
 * deliveries lacking the redelivered flag (24 repeats, 8 flags); at a load of 22 the same flapping downed nobody.
 * The node to cut is node 1 (first seed node, oldest member: it runs the shard coordinator) unless
 * {@code -Dwarren.it.partition.victim=N}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PartitionTest {
    private static final int SIZE = 3;
    private static final int QUEUES = 6;
    private static final long WARM_UP_MS = 3_000;
    /** Long enough for the cut node to exit and the majority to down it, remove it and fail its queues over. */
    private static final long CUT_MS = 20_000;
    /** The done-when of failover (FrozenNodeTest's): no publisher of the majority waits longer for a confirm. */
    private static final long FAILOVER_TARGET_MS = 10_000;
    /** Flapping: the link goes down and up this many times, down and up for these lengths (ms). */
    private static final int FLAPS = 6;
    private static final long FLAP_DOWN_MS = 3_000;
    private static final long FLAP_UP_MS = 2_000;
    /** Pekko's pekko.cluster.seed-node-timeout (its default, which Warren keeps for every seed node but the first). */
    private static final long SEED_NODE_TIMEOUT_MS = 5_000;

    private final int victim = Integer.getInteger("warren.it.partition.victim", 1);
    private NetworkNamespaces network;
    private ClusterUnderTest cluster;
    private NodeSupervisor supervisor;
    private JournalWriteAudit audit;
    private final List<String> figures = new ArrayList<>();

    /** How a scenario disturbs the victim's links. */
    private enum Cut { PEERS, PEERS_AND_DATABASE, FLAPPING_PEERS }

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void startCluster() throws IOException {
        assumeFalse(BrokerUnderTest.isExternalMode(), "a Warren cluster");
        network = NetworkNamespaces.create(SIZE);
        try {
            // Sharding and Warren at DEBUG (NodeLogTimeline's config), so that a failure's node logs show allocations,
            // entity starts and queue recoveries; dead letters logged (Warren turns them off), because Artery reports a
            // message it drops (send queue overflow, quarantined peer) as one, with the reason: the flapping link's
            // lost messages were held unacked by channels that never received them (see aFlappingLink).
            Path logback = NodeLogTimeline.writeLogbackConfig("partition");
            cluster = ClusterUnderTest.start("partition", SIZE, Map.of("pekko.log-dead-letters", "100000", "pekko.loglevel", "DEBUG"),
                    List.of("-Dlogback.configurationFile=" + logback), network);
            audit = JournalWriteAudit.install(cluster.database());
            supervisor = NodeSupervisor.watch(cluster);
        } catch (IOException | RuntimeException | Error e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stopCluster() {
        try {
            if (supervisor != null) supervisor.close();
            if (cluster != null) cluster.close();
        } finally {
            if (network != null) network.close();
            System.out.println("[partition figures] (uptime " + uptime() + ")\n  " + String.join("\n  ", figures));
        }
    }

    @Test
    @Order(1)
    void aNodeCutFromItsPeersLeavesLosesNothingAndComesBackByItself() throws Exception {
        scenario("cut-peers", Cut.PEERS);
    }

    @Test
    @Order(2)
    void aNodeCutFromItsPeersAndTheDatabaseWithItsClientsConnected() throws Exception {
        scenario("cut-peers-db", Cut.PEERS_AND_DATABASE);
    }

    /**
     * The link between node 1 and its peers goes down for 3 s and up for 2 s, six times: nobody is downed, and
     * Artery drops what its send queues cannot hold during each cut. That used to lose confirmed messages now and
     * then (2 of 8 runs on 2026-12-07: deliveries dropped on their way to a majority node's channel stayed unacked
     * there, and dropped enqueue answers left the majority's publishers 31 s without a confirm). Queues now number
     * their deliveries to remote channels and channels probe queues that stop answering (see LostDeliveryTest).
     */
    @Test
    @Order(3)
    void aFlappingLink() throws Exception {
        scenario("flapping", Cut.FLAPPING_PEERS);
    }

    /**
     * The first seed node restarts (after a kill -9) while the other seed node runs but answers late: node 2 cannot
     * open a connection to node 1's remoting port, so its replies (Artery's handshake, InitJoinAck) wait, while node 1
     * still reaches node 2's port. Pekko's first seed node formed a cluster of its own after 5 s without an answer (on
     * CI at load 14 four incarnations in a row did, each taken out 20 s later by LoneNodeGuard, and node 1 never came
     * back); Warren's waits as long as another seed node's port accepts connections, and joins the others once
     * they answer.
     */
    @Test
    @Order(4)
    void aRestartedFirstSeedNodeWaitsForTheOthersToAnswer() throws Exception {
        for (ClusterNode node : cluster.nodes()) cluster.awaitRoundTrip(node.index());
        ClusterNode first = cluster.node(1);
        long killedAt = System.currentTimeMillis();
        cluster.kill(1);
        OptionalLong removed = NodeLogTimeline.awaitFirstAfter(cluster, killedAt, 30_000,
                l -> l.contains("Leader is removing") && l.contains(first.remoteAddress()));
        assertTrue(removed.isPresent(), () -> "the others did not remove the killed node 1 within 30 s\n" + cluster.logTails(40));

        network.blockConnections(2, 1, first.remotePort());
        long launchedAt = System.currentTimeMillis();
        OptionalLong remoting;
        long heldUntil;
        try {
            first.launch();
            remoting = NodeLogTimeline.awaitFirstAfter(cluster, launchedAt, 90_000,
                    l -> l.contains("Remoting started") && l.contains(first.remoteAddress()));
            assertTrue(remoting.isPresent(), () -> "node 1 did not start its remoting within 90 s\n" + cluster.logTails(40));
            // Pekko's first seed node would have joined itself SEED_NODE_TIMEOUT after starting its seed process.
            Thread.sleep(SEED_NODE_TIMEOUT_MS + 4_000);
        } finally {
            heldUntil = System.currentTimeMillis();
            network.heal(1);
        }
        cluster.awaitRoundTrip(1);
        long memberAt = System.currentTimeMillis();
        List<String> selfJoins = linesSince(first, launchedAt, "is JOINING itself");
        List<String> exits = linesSince(first, launchedAt, "exiting with code");
        String figure = "first-seed-restart: killed, removed after " + removed.getAsLong() + " ms; remoting of the"
                + " new incarnation up " + remoting.getAsLong() + " ms after launch; node 2's answers held "
                + (heldUntil - launchedAt) + " ms; member " + (memberAt - heldUntil) + " ms after the hold ("
                + (memberAt - launchedAt) + " ms after launch); self-joins " + selfJoins.size() + ", exits " + exits.size()
                + "; load " + uptime();
        figures.add(figure);
        System.out.println("[partition] " + figure);
        assertTrue(selfJoins.isEmpty(), () -> "the restarted first seed node formed a cluster of its own: " + selfJoins
                + "\n" + figure + "\n" + cluster.logTails(60));
        assertTrue(exits.isEmpty(), () -> "the restarted first seed node exited: " + exits + "\n" + figure);
    }

    private void scenario(String prefix, Cut cut) throws Exception {
        for (ClusterNode node : cluster.nodes()) cluster.awaitRoundTrip(node.index()); // every node a member
        try (FailoverWorkload workload = FailoverWorkload.start(cluster, prefix, QUEUES, false)) {
            Thread.sleep(WARM_UP_MS);
            long deadline = System.currentTimeMillis() + 30_000;
            while (workload.confirmedCount() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(200);
            assumeTrue(workload.confirmedCount() > 0, "the workload confirmed nothing before the cut (host overloaded?)");

            ClusterNode cutNode = cluster.node(victim);
            List<String> cutSessions = audit.sessionTags(cutNode.name());
            String cutAddress = cutNode.remoteAddress();
            long[] pids = cluster.nodes().stream().mapToLong(ClusterNode::pid).toArray();
            long cutAt = System.currentTimeMillis();
            workload.mark(cutAt);
            try {
                switch (cut) {
                    case PEERS -> {
                        network.cutFromPeers(victim);
                        Thread.sleep(CUT_MS);
                    }
                    case PEERS_AND_DATABASE -> {
                        network.cutFromPeers(victim);
                        network.cutFromDatabase(victim);
                        Thread.sleep(CUT_MS);
                    }
                    case FLAPPING_PEERS -> {
                        for (int i = 0; i < FLAPS; i++) {
                            network.cutFromPeers(victim);
                            Thread.sleep(FLAP_DOWN_MS);
                            network.heal(victim);
                            Thread.sleep(FLAP_UP_MS);
                        }
                    }
                }
            } finally {
                network.heal(victim);
            }
            long healedAt = System.currentTimeMillis();

            // Back by itself: the supervisor restarts it when it exits with code 3, nothing else helps it.
            long backAfter = -1;
            String whyNotBack = "";
            try {
                cluster.awaitRoundTrip(victim);
                backAfter = System.currentTimeMillis() - healedAt;
            } catch (IllegalStateException e) {
                whyNotBack = e.getMessage();
            }
            String notBack = whyNotBack;
            Thread.sleep(2_000);
            workload.stopPublishing();
            Set<String> lost = workload.awaitDrained(20_000, 60_000);
            FailoverWorkload.Report report = workload.report();

            long stallUntil = cut == Cut.FLAPPING_PEERS ? healedAt : Math.min(healedAt, cutAt + CUT_MS);
            List<String> stalls = new ArrayList<>();
            long longestMajorityStall = 0;
            for (ClusterNode node : cluster.nodes()) {
                if (node.index() == victim) continue;
                long gap = workload.longestConfirmGapMillis(node.index(), cutAt, stallUntil);
                longestMajorityStall = Math.max(longestMajorityStall, gap);
                stalls.add(node.name() + " " + gap + " ms");
            }
            long removedAt = firstMajorityLine(cutAt, "Leader is removing", cutAddress);
            long downedAt = firstMajorityLine(cutAt, "Down", cutAddress);
            List<JournalWriteAudit.Write> lateWrites = removedAt > 0 ? audit.writesSince(cutSessions, removedAt) : List.of();
            long writesBefore = audit.writesBy(cutSessions);
            List<NodeSupervisor.Exit> exits = supervisor.exitsOf(victim, cutAt);
            String exitReasons = String.join(" | ", linesSince(cutNode, cutAt, "exiting with code"));

            String figure = prefix + " (node " + victim + ", " + cut + ") at " + Instant.ofEpochMilli(cutAt)
                    + ": downed " + offset(downedAt, cutAt) + ", removed " + offset(removedAt, cutAt)
                    + "; exits " + exits + (exitReasons.isEmpty() ? "" : " [" + exitReasons + "]")
                    + "; longest confirm gap of the majority's publishers " + stalls
                    + "; journal writes by the cut incarnation " + cutSessions + ": " + writesBefore + " in all, "
                    + lateWrites.size() + " after its removal" + (lateWrites.isEmpty() ? "" : " (first " + lateWrites.get(0) + ")")
                    + "; back as a member " + (backAfter < 0 ? "never" : backAfter + " ms after the heal")
                    + "; messages remoting dropped " + NodeLogTimeline.countSince(cluster, cutAt, l -> l.contains("was dropped. "))
                    + ", queues taking back deliveries that never arrived "
                    + NodeLogTimeline.countSince(cluster, cutAt, l -> l.contains("(lost between nodes); they go back to the queue"))
                    + "; " + report + "; load " + uptime();
            figures.add(figure);
            System.out.println("[partition] " + figure);

            String lostDetail = lost.isEmpty() ? "" : workload.describeMissing(lost, victim == 1 ? 2 : 1);
            assertTrue(lost.isEmpty(), () -> lost.size() + " confirmed messages lost (first: "
                    + lost.stream().limit(20).toList() + "; " + lostDetail + "): " + figure + "\n" + cluster.logTails(60));
            assertTrue(report.confirmed() > 0, "the workload confirmed nothing");
            assertTrue(backAfter >= 0, () -> "node " + victim + " is not a member again after the heal: " + notBack
                    + "\n" + figure + "\n" + cluster.logTails(80));
            assertTrue(lateWrites.isEmpty(), () -> "node " + victim + "'s cut incarnation wrote to the journal after the"
                    + " majority removed it: " + lateWrites + "\n" + figure);
            assertEquals(0, report.repeatsWithoutFlag(), () -> "deliveries repeated without the redelivered flag: "
                    + figure);
            assertTrue(longestMajorityStall <= FAILOVER_TARGET_MS, () -> "the majority's publishers waited longer than "
                    + FAILOVER_TARGET_MS + " ms for a confirm: " + figure + "\n" + cluster.logTails(80));
            for (ClusterNode node : cluster.nodes()) {
                if (node.index() == victim) continue;
                assertEquals(pids[node.index() - 1], node.isRunning() ? node.pid() : -1,
                        () -> node + " (majority side) went down or was restarted: " + figure + "\n" + cluster.logTails(60));
            }
            if (cut != Cut.FLAPPING_PEERS) {
                assertTrue(!exits.isEmpty() && exits.get(0).code() == NodeSupervisor.EXIT_DOWNED,
                        () -> "node " + victim + " did not take itself out (exit code 3): " + figure);
            }
        }
    }

    /** When a running majority node first logged a line with every one of {@code texts} at or after {@code since}; 0: never. */
    private long firstMajorityLine(long since, String... texts) {
        long first = 0;
        for (ClusterNode node : cluster.nodes()) {
            if (node.index() == victim) continue;
            for (String line : linesSince(node, since, texts)) {
                long at = NodeLogTimeline.stamp(line);
                if (at > 0 && (first == 0 || at < first)) first = at;
            }
        }
        return first;
    }

    private static List<String> linesSince(ClusterNode node, long since, String... texts) {
        List<String> found = new ArrayList<>();
        for (Path log : node.logFiles()) {
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    boolean all = true;
                    for (String text : texts) all &= line.contains(text);
                    if (all && NodeLogTimeline.stamp(line) >= since) found.add(line);
                }
            } catch (IOException e) {
                found.add("(cannot read " + log + ")");
            }
        }
        return found;
    }


    private static String offset(long at, long from) {
        return at <= 0 ? "never (no majority log line)" : "after " + (at - from) + " ms";
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
