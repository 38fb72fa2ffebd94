package io.warren.broker.access;

import io.warren.broker.protocol.AccessReply;
import io.warren.broker.protocol.AccessCommand;
import io.warren.core.access.AccessChange;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Sends a change to the cluster's access entity; completes with the version that holds it.
 *
 * <p>While the entity's node has crashed but is not yet removed from the cluster, sharding still sends to the dead
 * node's region and the message is lost: one ask with a 30 s timeout then made a write right after a crash take
 * 30 s to fail (and the retried request another few seconds), the "access entity takes ~40 s to move" seen under
 * load. So the change is sent again every {@link #ATTEMPT} until an answer comes, within {@link #TIMEOUT} in all.
 * A change may thus be applied twice: puts and sets are idempotent; a repeated delete answers "no user/vhost/
 * permissions/policy ...", which after an unanswered attempt means an earlier attempt did it (the API checks existence
 * before it writes), so it counts as done.
 */
public final class AccessWriter {
    // as TopologyClient: the entity may be moving (rebalance, failover) and recovering from the journal meanwhile
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final Duration ATTEMPT = Duration.ofSeconds(3);

    private AccessWriter() {}

    public static CompletionStage<Long> send(ActorSystem<?> system, AccessChange change) {
        return attempt(system, change, System.nanoTime() + TIMEOUT.toNanos(), false);
    }

    private static CompletionStage<Long> attempt(ActorSystem<?> system, AccessChange change, long deadline, boolean retry) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return CompletableFuture.failedFuture(new TimeoutException("the access entity did not answer within " + TIMEOUT));
        }
        Duration timeout = Duration.ofNanos(Math.min(left, ATTEMPT.toNanos()));
        CompletionStage<AccessReply> reply = ClusterSharding.get(system)
                .entityRefFor(AccessEntity.TYPE_KEY, AccessEntity.ENTITY_ID)
                .ask(r -> new AccessCommand.Change(change, r), timeout);
        return reply.handle((r, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof TimeoutException) return attempt(system, change, deadline, true);
                return CompletableFuture.<Long>failedFuture(cause);
            }
            if (r instanceof AccessReply.Done d) return CompletableFuture.completedFuture(d.version());
            if (retry && isDelete(change)) return CompletableFuture.completedFuture(0L); // an earlier attempt did it
            return CompletableFuture.<Long>failedFuture(new IllegalArgumentException(((AccessReply.Failed) r).reason()));
        }).thenCompose(x -> x);
    }

    private static boolean isDelete(AccessChange change) {
        return change instanceof AccessChange.DeleteUser || change instanceof AccessChange.DeleteVhost
                || change instanceof AccessChange.ClearPermission || change instanceof AccessChange.DeletePolicy;
    }
}
