package io.warren.broker.cluster;

/**
 * When the first seed node gives up waiting for the others and forms a new cluster (no actors, no I/O; time passed
 * in).
 *
 * <p>Pekko's first seed node joins itself when no other seed node has answered its InitJoin within
 * {@code seed-node-timeout} (5 s). No answer is taken to mean no cluster, which is wrong when the answer is only
 * late: a restarted first seed node on a busy host (CI at load 14: the JVM took 10 s to start remoting) did not get
 * the others' answer in time, four incarnations in a row, and formed a cluster of its own each time while the others
 * were up. So Warren's first seed node waits for as long as another seed node's process runs (its remoting port
 * accepts connections): that node either says it is not in a cluster yet (Pekko then forms one at once, as at a
 * cluster's start) or lets it join. Only when no other seed node's port has accepted a connection for
 * {@code formAfterNanos} (they are not running, or cut off) does it form a cluster without an answer.
 */
public final class FirstSeedVerdict {
    private final long formAfterNanos;
    /** Since when (nanos) no other seed node's port has accepted a connection; -1: one did in the last probe. */
    private long silentSince = -1;

    public FirstSeedVerdict(long formAfterNanos) {
        this.formAfterNanos = formAfterNanos;
    }

    /**
     * One probe of the other seed nodes' remoting ports: {@code anotherSeedAnswers} whether any accepted a
     * connection. Returns true when this node must form a new cluster now.
     */
    public boolean shouldForm(boolean anotherSeedAnswers, long nowNanos) {
        if (anotherSeedAnswers) {
            silentSince = -1;
            return false;
        }
        if (silentSince < 0) silentSince = nowNanos;
        return nowNanos - silentSince >= formAfterNanos;
    }
}
