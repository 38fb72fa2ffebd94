package io.warren.it.cluster;

import java.time.Instant;
import java.util.Set;

/**
 * One failover run: start a {@link FailoverWorkload}, let it warm up, take one node away (kill -9 or
 * SIGTERM), keep the traffic going until every queue delivers again, then stop publishing and let the
 * consumers drain. Shared by the failover and graceful-leave tests and the failover benchmark.
 */
public final class FailoverScenario {
    /** How the node goes away. */
    public enum Disruption { KILL, SIGTERM }

    private static final long DRAIN_QUIET_MS = 20_000;
    private static final long DRAIN_MAX_MS = 90_000;

    private FailoverScenario() {}

    /**
     * What happened. {@code disruptionMillis} is when the kill/SIGTERM was sent (wall clock, as in the node
     * logs); {@code stopMillis} how long the node took to exit; {@code exitCode} its exit code (-1 when it
     * had to be killed, 137 for kill -9); {@code coordinatorBefore} the node that hosted the queue shard
     * coordinator before (0: unknown).
     */
    public record Result(int victim, int coordinatorBefore, Disruption disruption, long disruptionMillis, long stopMillis, int exitCode,
                         long confirmedBeforeDisruption, FailoverWorkload.Report report, Set<String> lost) {
        public String summary() {
            return "[" + disruption + " node " + victim + (victim == coordinatorBefore ? " (shard coordinator)" : "")
                    + " at " + Instant.ofEpochMilli(disruptionMillis)
                    + ", exited after " + stopMillis + " ms with code " + exitCode + "] confirmed before="
                    + confirmedBeforeDisruption + " " + report;
        }
    }

    public static Result run(ClusterUnderTest cluster, String prefix, int victim, Disruption disruption,
                             boolean alsoTransient, int queues, long warmUpMillis, long recoveryWindowMillis,
                             long afterRecoveryMillis) throws Exception {
        try (FailoverWorkload workload = FailoverWorkload.start(cluster, prefix, queues, alsoTransient)) {
            Thread.sleep(warmUpMillis);
            // On a slow machine the first confirms may take a while: don't disrupt a workload that never ran.
            long deadline = System.currentTimeMillis() + 20_000;
            while (workload.confirmedCount() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(200);
            long confirmedBefore = workload.confirmedCount();

            int coordinator = cluster.coordinatorNode();
            long disruptionMillis = System.currentTimeMillis();
            workload.mark(disruptionMillis);
            int exitCode;
            if (disruption == Disruption.KILL) {
                cluster.kill(victim);
                exitCode = 137;
            } else {
                exitCode = cluster.stopGracefully(victim);
            }
            long stopMillis = System.currentTimeMillis() - disruptionMillis;

            long windowEnd = disruptionMillis + recoveryWindowMillis;
            while (!workload.everyQueueDeliversAfterMark() && System.currentTimeMillis() < windowEnd) Thread.sleep(100);
            Thread.sleep(afterRecoveryMillis);
            workload.stopPublishing();
            Set<String> lost = workload.awaitDrained(DRAIN_QUIET_MS, DRAIN_MAX_MS);
            return new Result(victim, coordinator, disruption, disruptionMillis, stopMillis, exitCode, confirmedBefore,
                    workload.report(), lost);
        }
    }
}
