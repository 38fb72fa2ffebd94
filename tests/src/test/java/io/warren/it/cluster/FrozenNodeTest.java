package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 12's frozen node: {@code kill -STOP} of a node for 30 s (its sockets stay open, nothing answers), then
 * {@code kill -CONT}, under confirmed publishing and acking consumers on ten durable queues. Each time: nothing
 * confirmed is lost, the frozen node's queues deliver again on the others within 10 s of the freeze, the other nodes
 * stay (same processes), and the resumed node, downed meanwhile, exits by itself; the test then starts it again as a
 * supervisor would, and it serves as a member again.
 * <p>
 * Opt-in ({@code -Dwarren.it.long-faults=true}): one freeze of node 3. The five freezes (the coordinator's
 * node, right after another node's restart, the restarted node while it writes) are {@link FrozenNodeBench}'s.
 * Not in the default run: on the shared 2-core host (load 45-50) one freeze took about 5 min with the cluster's
 * start (it also found repeated deliveries without the redelivered flag, issue 12, fixed since: the assertion
 * below counts them per message). The default suite keeps FailoverTest's 3 s freeze.
 * <p>
 * Since issue 12's stall check the resumed node no longer exits on the clock: it shuts its gate (no write, no
 * delivery), asks the others, and exits on the Down it learns (the others, which removed it, no longer answer).
 * One freeze on 2026-12-07 at load ~15-20: it exited 1.6 s after -CONT, 0.85 s after its check began, nothing lost;
 * but the queues delivered again after 10.4-11.1 s, over the 10 s target (resolver's Down at 7.9 s, removal at
 * 8.0 s, then shard allocation and recovery), a path the stall check does not touch. FrozenNodeBench measures five
 * freezes phase by phase (bench/results/2026-12-07-frozen.md: 8.2-9.5 s at load 12-22); this test's one freeze at
 * load ~12 after deleted queues stopped being restarted on failover: 8.65 s, exited 0.9 s after -CONT, nothing lost.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@EnabledIfSystemProperty(named = "warren.it.long-faults", matches = "true",
        disabledReason = "opt-in: -Dwarren.it.long-faults=true (a 3-node cluster and 30 s freezes)")
class FrozenNodeTest extends DisruptedClusterTestBase {
    private static final int QUEUES = 10;
    private static final long WARM_UP_MS = 4_000;
    private static final long FREEZE_MS = 30_000;
    /** The done-when: the frozen node's queues deliver again elsewhere within this long of the freeze. */
    private static final long FAILOVER_TARGET_MS = 10_000;
    /** How long a resumed node may take to notice it was downed and exit. */
    private static final long EXIT_AFTER_RESUME_MS = 60_000;

    FrozenNodeTest() {
        super("frozen");
    }

    @Test
    void aNodeFrozenForThirtySecondsFailsOverLosesNothingAndComesBack() throws Exception {
        List<String> figures = new ArrayList<>();
        figures.add(freeze(3, figures));
        System.out.println("[frozen-node figures]\n  " + String.join("\n  ", figures));
    }

    /** One freeze of {@code victim}; returns a line with the figures. */
    private String freeze(int victim, List<String> before) throws Exception {
        cluster.ensureAllRunning();
        String prefix = "frozen" + before.size() + "-n" + victim;
        try (FailoverWorkload workload = FailoverWorkload.start(cluster, prefix, QUEUES, false)) {
            Thread.sleep(WARM_UP_MS);
            long deadline = System.currentTimeMillis() + 30_000;
            while (workload.confirmedCount() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(200);
            assumeTrue(workload.confirmedCount() > 0, "the workload confirmed nothing before the freeze (host overloaded?)");
            long[] pids = cluster.nodes().stream().mapToLong(ClusterNode::pid).toArray();
            signal("STOP", pids[victim - 1]);
            // Marked once kill(1) has returned, i.e. the node is stopped: a message published after this to one of
            // its queues can only be delivered by the queue's next incarnation (kill(1) may take a while to start
            // on a busy host, and messages published meanwhile are still delivered by the node).
            long frozenAt = System.currentTimeMillis();
            workload.mark(frozenAt);
            long recoveredAt;
            try {
                while (!workload.everyQueueDeliversAfterMark() && System.currentTimeMillis() < frozenAt + FREEZE_MS) {
                    Thread.sleep(100);
                }
                recoveredAt = workload.everyQueueDeliversAfterMark() ? System.currentTimeMillis() : -1;
                Thread.sleep(Math.max(0, frozenAt + FREEZE_MS - System.currentTimeMillis()));
            } finally {
                signal("CONT", pids[victim - 1]);
            }
            long resumedAt = System.currentTimeMillis();

            // The resumed node finds itself removed and exits, so that its supervisor starts a new incarnation.
            ClusterNode frozen = cluster.node(victim);
            while (frozen.isRunning() && System.currentTimeMillis() < resumedAt + EXIT_AFTER_RESUME_MS) Thread.sleep(100);
            long exitedAfter = System.currentTimeMillis() - resumedAt;
            boolean exited = !frozen.isRunning();
            // Supervisor: start it again (restart waits for a round trip through it: it is a serving member).
            long restartAt = System.currentTimeMillis();
            cluster.restart(victim);
            long backAfter = System.currentTimeMillis() - restartAt;

            Thread.sleep(2_000);
            workload.stopPublishing();
            Set<String> lost = workload.awaitDrained(20_000, 90_000);
            FailoverWorkload.Report report = workload.report();
            String figure = "freeze node " + victim + " at " + Instant.ofEpochMilli(frozenAt) + ": every queue delivered again after "
                    + (recoveredAt < 0 ? "never (within the freeze)" : (recoveredAt - frozenAt) + " ms")
                    + ", resumed node exited " + (exited ? exitedAfter + " ms after -CONT" : "never")
                    + ", back as a member " + backAfter + " ms after its restart; " + report;
            System.out.println("[frozen-node] " + figure);

            assertTrue(lost.isEmpty(), () -> lost.size() + " confirmed messages lost: " + figure + "\n" + cluster.logTails(60));
            assertTrue(report.confirmed() > 0, "the workload confirmed nothing");
            long slowest = report.slowestRecoveryMillis();
            assertTrue(slowest >= 0 && slowest <= FAILOVER_TARGET_MS, () -> "the frozen node's queues did not all deliver"
                    + " again within " + FAILOVER_TARGET_MS + " ms: " + figure + "\n" + cluster.logTails(80));
            assertTrue(exited, () -> "node " + victim + " did not exit within " + EXIT_AFTER_RESUME_MS
                    + " ms of being resumed: " + figure + "\n" + cluster.logTails(60));
            for (ClusterNode node : cluster.nodes()) {
                if (node.index() == victim) continue;
                assertTrue(node.isRunning(), () -> node + " went down while node " + victim + " was frozen\n"
                        + cluster.logTails(60));
                assertEquals(pids[node.index() - 1], node.pid(), () -> node + " was restarted");
            }
            // A message delivered again after the failover says so: every extra delivery carries redelivered=true
            // (issue 12: re-sent publishes are flagged, and not enqueued again once settled).
            assertEquals(0, report.repeatsWithoutFlag(), () -> "deliveries repeated without the redelivered flag: "
                    + figure);
            return figure;
        }
    }

    static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }
}
