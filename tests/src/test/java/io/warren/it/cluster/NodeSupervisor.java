package io.warren.it.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Does for a test cluster what systemd's {@code Restart=on-failure} or a Kubernetes pod restart does in production: a
 * node that takes itself out (exit code 3: downed, or on the losing side of a partition) is started again, as a new
 * incarnation, after {@link #RESTART_DELAY_MS}. Any other exit is recorded and left alone, so that a test sees it.
 * Only launches: whether the new incarnation becomes a member again is the cluster's business, and the test's check.
 */
final class NodeSupervisor implements AutoCloseable {
    /** The exit code of a node that took itself out (FailoverGuard.EXIT_DOWNED). */
    static final int EXIT_DOWNED = 3;
    /** As a supervisor's restart back-off: a node that exits at once again is not restarted in a hot loop. */
    private static final long RESTART_DELAY_MS = 1_000;
    private static final long POLL_MS = 100;

    /** One exit seen: which node, when it was noticed (wall clock ms), its code, and when it was started again (0: not). */
    record Exit(int node, long at, int code, long restartedAt) {
        @Override
        public String toString() {
            return "node" + node + " exited " + code + " at " + Instant.ofEpochMilli(at)
                    + (restartedAt > 0 ? ", restarted " + (restartedAt - at) + " ms later" : ", not restarted");
        }
    }

    private final ClusterUnderTest cluster;
    private final List<Exit> exits = new ArrayList<>();
    private final boolean[] handled;
    private final Thread thread;
    private volatile boolean running = true;

    private NodeSupervisor(ClusterUnderTest cluster) {
        this.cluster = cluster;
        this.handled = new boolean[cluster.size() + 1];
        this.thread = new Thread(this::watch, "node-supervisor");
        this.thread.setDaemon(true);
    }

    static NodeSupervisor watch(ClusterUnderTest cluster) {
        NodeSupervisor supervisor = new NodeSupervisor(cluster);
        supervisor.thread.start();
        return supervisor;
    }

    /** Every exit seen so far. */
    synchronized List<Exit> exits() {
        return List.copyOf(exits);
    }

    /** Exits of node {@code n} noticed at or after {@code sinceMillis}. */
    synchronized List<Exit> exitsOf(int n, long sinceMillis) {
        return exits.stream().filter(e -> e.node() == n && e.at() >= sinceMillis).toList();
    }

    private void watch() {
        while (running) {
            for (ClusterNode node : cluster.nodes()) {
                if (!running) return;
                int code = node.isRunning() ? -1 : node.exitCode();
                if (code < 0) {
                    handled[node.index()] = false;
                    continue;
                }
                if (handled[node.index()]) continue;
                handled[node.index()] = true;
                long at = System.currentTimeMillis();
                long restartedAt = 0;
                if (code == EXIT_DOWNED) {
                    sleep(RESTART_DELAY_MS);
                    if (!running) return;
                    node.launch();
                    restartedAt = System.currentTimeMillis();
                }
                Exit exit = new Exit(node.index(), at, code, restartedAt);
                synchronized (this) {
                    exits.add(exit);
                }
                System.out.println("[supervisor] " + exit);
            }
            sleep(POLL_MS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops watching (before the cluster is stopped, so that its stops are not taken for exits to restart). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
