package io.warren.broker.access;

import io.warren.broker.protocol.AccessReply;
import io.warren.broker.protocol.AccessCommand;
import io.warren.core.access.AccessChange;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Sends a change to the cluster's access entity; completes with the version that holds it. */
public final class AccessWriter {
    // as TopologyClient: the entity may be moving (rebalance, failover) and recovering from the journal meanwhile
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AccessWriter() {}

    public static CompletionStage<Long> send(ActorSystem<?> system, AccessChange change) {
        CompletionStage<AccessReply> reply = ClusterSharding.get(system)
                .entityRefFor(AccessEntity.TYPE_KEY, AccessEntity.ENTITY_ID)
                .ask(r -> new AccessCommand.Change(change, r), TIMEOUT);
        return reply.thenCompose(r -> r instanceof AccessReply.Done d
                ? CompletableFuture.completedFuture(d.version())
                : CompletableFuture.failedFuture(new IllegalArgumentException(((AccessReply.Failed) r).reason())));
    }
}
