package io.warren.server.management;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check (registered in reference.conf under
 * {@code pekko.management.health-checks.readiness-checks.amqp-listener}): {@code /ready} answers 200 only while the
 * AMQP port is bound, on top of the cluster-membership check that pekko-management-cluster-http adds.
 * Pekko Management instantiates it with the classic actor system.
 */
public final class AmqpReadinessCheck implements Supplier<CompletionStage<Boolean>> {
    private final AmqpReadiness readiness;

    public AmqpReadinessCheck(ActorSystem system) {
        this.readiness = AmqpReadiness.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(readiness.isListening());
    }
}
