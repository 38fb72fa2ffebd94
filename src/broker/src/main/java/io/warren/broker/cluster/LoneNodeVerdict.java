package io.warren.broker.cluster;

/**
 * When a node that is a cluster of its own must give up and start again (no actors, no I/O; time passed in).
 *
 * <p>Pekko lets the first of the seed nodes form a new cluster by joining itself when no other seed node answers
 * within {@code seed-node-timeout}. That is how a cluster starts, but it is also what a first seed node does when its
 * supervisor restarts it while it is cut off from the others (it took itself out on the losing side of a partition):
 * it forms a cluster of one, and after the heal nothing merges two clusters, so it would never be a member again.
 * Seen from inside, the two cases differ in what follows: at a cluster's start the other seed nodes join within a
 * few seconds of their ports opening; an island stays alone while their ports answer. So a node that has joined a
 * cluster in which it is the only member, while another seed node's remoting port accepts connections, exits after
 * {@code exitAfterNanos} of that; its next incarnation asks the other seed nodes first and joins their cluster.
 */
public final class LoneNodeVerdict {
    private final long exitAfterNanos;
    /** Since when (nanos) this node has been alone with another seed node answering; -1: not now. */
    private long aloneSince = -1;

    public LoneNodeVerdict(long exitAfterNanos) {
        this.exitAfterNanos = exitAfterNanos;
    }

    /**
     * One look: {@code joined} whether this node is a member of a cluster (it has joined one, or itself);
     * {@code otherMembers} how many other members that cluster has (any status but Down and Removed);
     * {@code anotherSeedAnswers} whether the remoting port of a seed node other than this one accepted a connection
     * in the last probe. Returns true when this node must exit now.
     */
    public boolean shouldExit(boolean joined, int otherMembers, boolean anotherSeedAnswers, long nowNanos) {
        if (!joined || otherMembers > 0 || !anotherSeedAnswers) {
            aloneSince = -1;
            return false;
        }
        if (aloneSince < 0) aloneSince = nowNanos;
        return nowNanos - aloneSince >= exitAfterNanos;
    }

    /** How long it has been alone with another seed node answering (0: not alone now). */
    public long aloneForNanos(long nowNanos) {
        return aloneSince < 0 ? 0 : nowNanos - aloneSince;
    }
}
