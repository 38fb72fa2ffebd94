package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's stall check on its resume path: a node that could not run for longer than its stall limit holds its
 * journal writes and deliveries, asks the other members, and goes on once a majority confirms it is still a member
 * (the exit path: {@link FrozenNodeTest}, whose resumed node was downed meanwhile). The limit is the others'
 * earliest downing decision (6 s), and a stall that long usually ends in a downing; here every node's limit is
 * lowered to 1 s ({@code warren.cluster.failover.stall-check-after}), so that a 3 s {@code kill -STOP}, which the
 * others do not down, runs the whole check: shut, ask (the others may still see it unreachable at first, and are
 * asked again), resume. Under confirmed publishing and acking consumers: nothing confirmed is lost (the held write
 * and deliveries leave once the gate opens), nobody is downed or exits.
 */
class StallCheckTest extends DisruptedClusterTestBase {
    private static final int QUEUES = 6;
    private static final long WARM_UP_MS = 4_000;

    StallCheckTest() {
        super("stallcheck", Map.of("warren.cluster.failover.stall-check-after", "1s"));
    }

    @Test
    void aStalledNodeThatAMajorityStillCountsResumes() throws Exception {
        long[] pids = cluster.nodes().stream().mapToLong(ClusterNode::pid).toArray();
        int frozen = 2;
        try (FailoverWorkload workload = FailoverWorkload.start(cluster, "stall", QUEUES, false)) {
            Thread.sleep(WARM_UP_MS);
            long confirmedBefore = workload.confirmedCount();
            FrozenNodeTest.signal("STOP", pids[frozen - 1]);
            try {
                Thread.sleep(3_000);
            } finally {
                FrozenNodeTest.signal("CONT", pids[frozen - 1]);
            }
            Thread.sleep(10_000); // past the resolver's decision time, with traffic
            workload.stopPublishing();
            Set<String> lost = workload.awaitDrained(10_000, 60_000);

            String node2 = cluster.node(frozen).name() + " ";
            // The stop's own check (a loaded host may add shorter stalls of its own, which are checked too).
            List<String> held = cluster.logLines("journal writes and deliveries are held").stream()
                    .filter(l -> l.startsWith(node2) && stalledMillis(l) >= 2_500).toList();
            List<String> resumed = cluster.logLines("journal writes and deliveries resume").stream()
                    .filter(l -> l.startsWith(node2) && stalledMillis(l) >= 2_500).toList();
            assertTrue(!held.isEmpty(), () -> "node " + frozen + " did not start a stall check after a 3 s stop\n"
                    + cluster.logTails(60));
            assertTrue(!resumed.isEmpty(), () -> "node " + frozen + " did not resume after its stall check: " + held
                    + "\n" + cluster.logTails(60));
            for (ClusterNode node : cluster.nodes()) {
                assertTrue(node.isRunning(), () -> node + " is no longer running after a 3 s stop of node " + frozen
                        + "\n" + cluster.logTails(60));
                assertEquals(pids[node.index() - 1], node.pid(), () -> node + " was restarted");
            }
            List<String> downings = cluster.logLines("refuses connections");
            List<String> sbr = cluster.logLines("SBR is downing");
            List<String> exits = cluster.logLines("so that a supervisor starts a new incarnation");
            assertTrue(downings.isEmpty() && sbr.isEmpty() && exits.isEmpty(),
                    () -> "a 3 s stop with a stall check downed a node: " + downings + sbr + exits);
            assertTrue(lost.isEmpty(), () -> lost.size() + " confirmed messages lost around a stall check: "
                    + workload.report());
            assertTrue(workload.confirmedCount() > confirmedBefore, () -> "nothing was confirmed after the stall: "
                    + workload.report());
            System.out.println("[stall-check] " + held + " " + resumed + "; " + workload.report());
        }
    }

    /** The stall a FailoverGuard line reports ("could not run for N ms" or "after its N ms stall"), or -1. */
    private static long stalledMillis(String line) {
        Matcher m = STALL.matcher(line);
        return m.find() ? Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2)) : -1;
    }

    private static final Pattern STALL = Pattern.compile("could not run for (\\d+) ms|after its (\\d+) ms stall");
}
