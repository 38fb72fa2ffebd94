package io.warren.server.management;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Gathers every node's {@link NodeReport}: finds the registered {@link NodeStats} actors through the Receptionist
 * and asks each. A node that does not answer within the timeout (down, unreachable, overloaded) is left out rather
 * than failing the whole request: the API shows what it can, as RabbitMQ's does for a node that is down.
 * This node's own report is always read directly: right after startup the Receptionist may not list the local
 * registration yet, and a node must never leave itself out of its own answer.
 */
public final class ClusterReports {
    private final ActorSystem<?> system;
    private final Duration timeout;
    private final Supplier<NodeReport> self;

    public ClusterReports(ActorSystem<?> system, Duration timeout, Supplier<NodeReport> self) {
        this.system = system;
        this.timeout = timeout;
        this.self = self;
    }

    /** The reports of the nodes that answered, ordered by address. */
    public CompletionStage<List<NodeReport>> gather() {
        CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
                (ActorRef<Receptionist.Listing> replyTo) -> Receptionist.find(NodeStats.KEY, replyTo),
                timeout, system.scheduler());
        return listing.thenCompose(l -> askAll(l.getServiceInstances(NodeStats.KEY)))
                .exceptionally(failure -> List.of())
                .thenApply(this::withSelf);
    }

    /** Tells every node's {@link NodeStats} (this one's included). */
    public CompletionStage<Void> tellAll(NodeStats.Command command) {
        CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
                (ActorRef<Receptionist.Listing> replyTo) -> Receptionist.find(NodeStats.KEY, replyTo),
                timeout, system.scheduler());
        return listing.thenAccept(l -> l.getServiceInstances(NodeStats.KEY).forEach(stats -> stats.tell(command)));
    }

    private List<NodeReport> withSelf(List<NodeReport> remote) {
        NodeReport mine = self.get();
        List<NodeReport> reports = new ArrayList<>();
        reports.add(mine);
        remote.stream().filter(r -> !r.address().equals(mine.address())).forEach(reports::add);
        reports.sort(Comparator.comparing(NodeReport::address));
        return reports;
    }

    private CompletionStage<List<NodeReport>> askAll(Set<ActorRef<NodeStats.Command>> instances) {
        List<CompletableFuture<NodeReport>> asks = new ArrayList<>();
        for (ActorRef<NodeStats.Command> stats : instances) {
            if (stats.path().address().hasLocalScope()) {
                continue; // read directly in withSelf
            }
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
            return reports;
        });
    }
}
