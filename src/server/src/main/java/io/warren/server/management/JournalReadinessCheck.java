package io.warren.server.management;

import io.warren.broker.alarm.ResourceAlarms;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check (reference.conf: {@code pekko.management.health-checks.readiness-checks.journal}):
 * {@code /ready} fails while this node's journal alarm is raised, so that a load balancer sends new clients to a node
 * that can confirm their messages, or to none, rather than to one that blocks them. {@code /alive} does not look at
 * the alarm: restarting the node would not bring the database back, and queues keep their unwritten state in memory.
 * The memory alarm does not fail readiness either (as in RabbitMQ, it is a short back-pressure, not an outage).
 */
public final class JournalReadinessCheck implements Supplier<CompletionStage<Boolean>> {
    private final ResourceAlarms alarms;

    public JournalReadinessCheck(ActorSystem system) {
        this.alarms = ResourceAlarms.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(!alarms.journal().raised());
    }
}
