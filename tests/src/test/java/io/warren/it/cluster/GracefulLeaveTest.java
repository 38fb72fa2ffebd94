package io.warren.it.cluster;

import io.warren.it.WarrenProcess;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful leave (SIGTERM: rolling update, scale-down) loses nothing, transient messages included: the
 * leaving node hands its queues off instead of dropping their in-memory state. Half the messages are
 * transient; a kill -9 would legitimately lose those, a SIGTERM must not.
 */
class GracefulLeaveTest extends DisruptedClusterTestBase {
    private static final int QUEUES = 10;

    GracefulLeaveTest() {
        super("graceful-leave");
    }

    /** Node 1 is the oldest member (shard coordinator), node 3 a plain member. */
    @ParameterizedTest(name = "SIGTERM node {0}")
    @ValueSource(ints = {1, 3})
    void leavingNodeLosesNothing(int leaver) throws Exception {
        FailoverScenario.Result result = disrupt("leave" + leaver, leaver,
                FailoverScenario.Disruption.SIGTERM, true, QUEUES, 4_000, 60_000, 2_000);

        FailoverWorkload.Report report = result.report();
        assertTrue(result.confirmedBeforeDisruption() > 0,
                () -> "nothing was confirmed before the SIGTERM: the workload never ran\n" + cluster.logTails(40));
        assertTrue(report.transientConfirmed() > 0, "the run had confirmed transient messages");
        // A JVM that exits because of SIGTERM reports 143 (128 + 15) even when its shutdown hook finished;
        // -1 means the harness had to kill it after the grace period.
        assertTrue(result.exitCode() == 0 || result.exitCode() == 143, () -> "node " + leaver
                + " did not stop cleanly on SIGTERM (exit code " + result.exitCode() + ")\n"
                + WarrenProcess.tail(cluster.node(leaver).currentLog(), 80));
        Set<String> lost = result.lost();
        assertTrue(lost.isEmpty(), () -> lost.size() + " confirmed messages lost (" + report.transientLost()
                + " of them transient) after SIGTERM of node " + leaver + " (first: " + lost.stream().limit(20).toList()
                + ")\n" + result.summary() + "\n" + WarrenProcess.tail(cluster.node(leaver).currentLog(), 80)
                + "\n" + cluster.logTails(40));
        assertTrue(report.slowestRecoveryMillis() >= 0, () -> "some queue never delivered again after node "
                + leaver + " left\n" + result.summary() + "\n" + cluster.logTails(60));
    }
}
