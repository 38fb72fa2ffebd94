package io.warren.broker.cluster;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * Lets Pekko remove a member that {@link FailoverGuard} downed for a crash without waiting for the heartbeat
 * failure detector.
 *
 * <p>Why: the leader removes a Down member only once it is unreachable or terminated in the reachability table,
 * and sharding moves the member's shards (and the singleton its coordinator) only on that removal. With the
 * heartbeat pause sized for silence on a loaded host (seconds), that wait was most of a crash's failover time.
 *
 * <p>How, through public API: the cluster marks a member TERMINATED ("Marking node as TERMINATED ..., due to
 * quarantine") when a {@code org.apache.pekko.remote.QuarantinedEvent} for that incarnation is published on the
 * system event stream; this publishes one. The event class is public but deprecated (it belongs to classic
 * remoting, which Pekko keeps for this very signal); the cluster still subscribes to it in 1.2.x. If a future Pekko
 * stops listening, nothing breaks: removal falls back to the failure detector, as before.
 *
 * <p>Why it is safe: it is published only for an incarnation (address + uid) this node has just downed because its
 * remoting port refused connections, seen from a majority. A downed incarnation can never come back (a restarted
 * process joins with a new uid), so marking it terminated changes nothing but when the leader may remove it. The
 * margin against a node that is not dead after all (a firewall that rejects) is unchanged: that node is refused by
 * the majority too and exits within a probe or two ({@link CrashVerdict}), and down-removal-margin still delays its
 * shards and singletons after the removal.
 */
final class CrashedMemberRemoval {
    private CrashedMemberRemoval() {}

    @SuppressWarnings("deprecation")
    static void markTerminated(ActorSystem system, UniqueAddress member) {
        system.eventStream().publish(new org.apache.pekko.remote.QuarantinedEvent(member.address(), member.longUid()));
    }
}
