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
 * remoting); in Pekko 1.2.1 the cluster daemon is its only subscriber (classic remoting's EndpointManager its
 * only publisher), so publishing it has no other effect. If a future Pekko
 * stops listening, nothing breaks: removal falls back to the failure detector, as before.
 *
 * <p>Why it is safe: it is published only for an incarnation (address + uid) this node has just downed because its
 * remoting port refused connections, seen from a majority. A downed incarnation can never come back (a restarted
 * process joins with a new uid), so marking it terminated changes nothing but when the leader may remove it. What
 * gets shorter is the margin against a node that is not dead after all (a firewall that rejects rather than drops):
 * its shards now wait {@code warren.cluster.failover.crash-removal-margin} (the guard publishes the event that long
 * after the Down; sharding's own removal margin is 0), no longer that plus the failure detector's pause. Such a node
 * is refused by the majority too and exits within a probe or two of the majority's verdict ({@link CrashVerdict}),
 * and every member that sees it downed ends its journal sessions ({@link JournalFence}).
 */
final class CrashedMemberRemoval {
    private CrashedMemberRemoval() {}

    @SuppressWarnings("deprecation")
    static void markTerminated(ActorSystem system, UniqueAddress member) {
        system.eventStream().publish(new org.apache.pekko.remote.QuarantinedEvent(member.address(), member.longUid()));
    }
}
