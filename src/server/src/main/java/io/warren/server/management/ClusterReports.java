package io.warren.server.management;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Gathers every node's {@link NodeReport}: finds the registered {@link NodeStats} actors through the Receptionist
 * and asks each. A node that does not answer within the timeout (down, unreachable, overloaded) is left out rather
 * than failing the whole request: the API shows what it can, as RabbitMQ's does for a node that is down.
 */
public final class ClusterReports {
    private final ActorSystem<?> system;
    private final Duration timeout;

    public ClusterReports(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.timeout = timeout;
    }

    /** The reports of the nodes that answered, ordered by address. */
    public CompletionStage<List<NodeReport>> gather() {
        CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
                (ActorRef<Receptionist.Listing> replyTo) -> Receptionist.find(NodeStats.KEY, replyTo),
                timeout, system.scheduler());
        return listing.thenCompose(l -> askAll(l.getServiceInstances(NodeStats.KEY)))
                .exceptionally(failure -> List.of());
    }

    private CompletionStage<List<NodeReport>> askAll(Set<ActorRef<NodeStats.Command>> instances) {
        List<CompletableFuture<NodeReport>> asks = new ArrayList<>();
        for (ActorRef<NodeStats.Command> stats : instances) {
            asks.add(AskPattern.<NodeStats.Command, NodeReport>ask(stats, NodeStats.GetReport::new, timeout,
                            system.scheduler())
                    .toCompletableFuture()
                    .exceptionally(failure -> null));
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<NodeReport> reports = new ArrayList<>();
            for (CompletableFuture<NodeReport> ask : asks) {
                NodeReport report = ask.join();
                if (report != null) {
                    reports.add(report);
                }
            }
            reports.sort(java.util.Comparator.comparing(NodeReport::address));
            return reports;
        });
    }
}
