package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 12's "no false downing": every core of the host kept busy by a bounded busy-loop for 2 minutes, under
 * confirmed traffic. Meanwhile a node paused by {@code kill -STOP} for 3 s and resumed is not downed, nobody exits
 * or is restarted; then {@code kill -9} of node 2 and its start again (as {@code local-cluster.sh kill 2} / {@code
 * start 2}) downs nobody else. Opt-in ({@code -Dwarren.it.long-faults=true}): it takes the host's every core for
 * 2 minutes, which would slow every other test of the run.
 * <p>
 * Before issue 12's stall check it failed on the shared host at load ~50 (other builds plus these loops): node 1,
 * not the paused node, went 6.2 s without running and FailoverGuard exited it on the clock alone (code 3); the
 * others then downed it as crashed. Now a node that stalls that long holds its writes and deliveries and asks the
 * others whether it is still a member (StallVerdict), and goes on if a majority says so. Still open: a node starved
 * for longer than the others' Split Brain Resolver allows (acceptable-heartbeat-pause 2 s + stable-after 3.5 s, seen
 * from the others, who must themselves run) is downed by them, and then exits.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@EnabledIfSystemProperty(named = "warren.it.long-faults", matches = "true",
        disabledReason = "opt-in: -Dwarren.it.long-faults=true (keeps every core busy for 2 min)")
class BusyHostTest extends DisruptedClusterTestBase {
    private static final long BUSY_MS = 120_000;

    BusyHostTest() {
        super("busy");
    }

    @Test
    void aBusyHostDownsNobody() throws Exception {
        long[] pids = cluster.nodes().stream().mapToLong(ClusterNode::pid).toArray();
        List<Process> loops = new ArrayList<>();
        long busyUntil = System.currentTimeMillis() + BUSY_MS;
        try (FailoverWorkload workload = FailoverWorkload.start(cluster, "busy", 10, false)) {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                // bounded by timeout(1) even if this JVM dies; destroyed below in any case
                loops.add(new ProcessBuilder("timeout", String.valueOf(BUSY_MS / 1000 + 10), "sh", "-c",
                        "while :; do :; done").start());
            }
            Thread.sleep(10_000);
            long frozenAt = System.currentTimeMillis();
            FrozenNodeTest.signal("STOP", pids[1]);
            try {
                Thread.sleep(3_000);
            } finally {
                FrozenNodeTest.signal("CONT", pids[1]);
            }
            Thread.sleep(15_000); // past the resolver's decision time, still under load
            for (ClusterNode node : cluster.nodes()) {
                assertTrue(node.isRunning(), () -> node + " is gone after a 3 s pause of node 2 on a busy host\n"
                        + cluster.logTails(60));
                assertEquals(pids[node.index() - 1], node.pid(), () -> node + " was restarted");
            }
            assertEquals(List.of(), downings(), "a 3 s pause on a busy host (at " + frozenAt + ") downed a node");

            // local-cluster.sh kill 2 / start 2, still under load: only node 2 is ever downed.
            long killedAt = System.currentTimeMillis();
            cluster.kill(2);
            cluster.restart(2);
            System.out.println("[busy-host] node 2 back as a member " + (System.currentTimeMillis() - killedAt)
                    + " ms after its kill -9");
            Thread.sleep(Math.max(5_000, busyUntil - System.currentTimeMillis()));
            for (int other : new int[] {1, 3}) {
                ClusterNode node = cluster.node(other);
                assertTrue(node.isRunning(), () -> node + " is gone after node 2's kill and start on a busy host\n"
                        + cluster.logTails(60));
                assertEquals(pids[other - 1], node.pid(), () -> node + " was restarted");
            }
            // Downing lines name only the downed members; an exit line comes from the exiting node's own log.
            List<String> othersDowned = downings().stream().filter(l -> {
                for (int other : new int[] {1, 3}) {
                    ClusterNode node = cluster.node(other);
                    if (l.contains(node.remoteAddress() + ":") || l.contains(node.remoteAddress() + ",")
                            || (l.startsWith(node.name() + " ") && l.contains("new incarnation"))) return true;
                }
                return false;
            }).toList();
            assertEquals(List.of(), othersDowned, "node 2's kill and start downed another node");

            workload.stopPublishing();
            Set<String> lost = workload.awaitDrained(20_000, 90_000);
            assertTrue(lost.isEmpty(), () -> lost.size() + " confirmed messages lost: " + workload.report());
            System.out.println("[busy-host] " + workload.report());
        } finally {
            // The loop shells are children of timeout(1): end them too, or a killed timeout leaves them spinning.
            for (Process loop : loops) {
                loop.descendants().forEach(ProcessHandle::destroyForcibly);
                loop.destroyForcibly();
            }
        }
    }

    /** Every downing decision any node logged: the crash rule's and the Split Brain Resolver's. */
    private List<String> downings() {
        List<String> lines = new ArrayList<>();
        lines.addAll(cluster.logLines("refuses connections"));
        lines.addAll(cluster.logLines("SBR is downing"));
        lines.addAll(cluster.logLines("so that a supervisor starts a new incarnation"));
        return lines;
    }
}
