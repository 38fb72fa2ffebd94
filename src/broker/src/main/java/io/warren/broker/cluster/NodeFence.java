package io.warren.broker.cluster;

import java.time.Duration;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * This node's gate for journal writes and deliveries (one per actor system, an extension): shut while the node may
 * have been downed by the others and its queues started elsewhere, i.e. after it could not run for longer than the
 * others' earliest downing decision, until a majority of the members has confirmed it is still one of them
 * ({@link FailoverGuard}, {@link StallVerdict}).
 *
 * <p>Queues consult it before each journal write and each delivery, and while it is shut they hold both (nothing is
 * dropped or failed: a write waits, a delivery waits; if the node then exits, its queues' next incarnations recover
 * from the journal, where nothing held was ever written).
 *
 * <p>Why it also shuts by itself: when a stopped or starved process runs again, every thread resumes at once, and a
 * queue may run before {@link FailoverGuard}'s late tick has noticed the stall. So the gate also reads as shut while
 * the guard's last tick is older than the stall limit; the guard then shuts it explicitly in its next turn, before
 * it does anything else, and asks the others. Until the guard arms it (single node, tests without the guard) it is
 * open.
 */
public final class NodeFence implements Extension {

    /** The extension id; {@code NodeFence.get(system)}. */
    public static final Id ID = new Id();

    public static final class Id extends AbstractExtensionId<NodeFence> implements ExtensionIdProvider {
        @Override
        public NodeFence createExtension(ExtendedActorSystem system) {
            return new NodeFence();
        }

        @Override
        public Id lookup() {
            return ID;
        }
    }

    private volatile boolean shut;
    private volatile String reason = "";
    /** 0: not armed (no stall limit known), the gate shuts only explicitly. */
    private volatile long stallLimitNanos;
    private volatile long guardTickNanos;

    NodeFence() {}

    public static NodeFence get(ActorSystem system) {
        return ID.get(system);
    }

    public static NodeFence get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        return ID.get(system.classicSystem());
    }

    /** Whether this node may write to the journal and deliver now; cheap (two volatile reads and a clock read). */
    public boolean open() {
        if (shut) return false;
        long limit = stallLimitNanos;
        return limit == 0 || System.nanoTime() - guardTickNanos <= limit;
    }

    /** Why the gate is shut (for logs); empty when it was never shut explicitly. */
    public String reason() {
        return reason;
    }

    /** The guard runs: from now on a guard silent for longer than {@code stallLimit} shuts the gate by itself. */
    void arm(Duration stallLimit, long nowNanos) {
        guardTickNanos = nowNanos;
        stallLimitNanos = Math.max(1, stallLimit.toNanos());
    }

    /** The guard's tick ran at {@code nowNanos}. */
    void ticked(long nowNanos) {
        guardTickNanos = nowNanos;
    }

    void shut(String why) {
        reason = why;
        shut = true;
    }

    void reopen() {
        shut = false;
    }
}
