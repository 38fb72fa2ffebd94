package io.warren.broker.topology;

import io.warren.broker.protocol.TopologyReply;
import io.warren.broker.protocol.TopologyCommand;
import io.warren.amqp.AmqpException;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.RoutingTable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What channels use to read and change topology: reads go to this node's replica tables without any actor hop;
 * changes go to the vhost's topology entity and complete once this node's replica has them, so a publish that
 * follows a bind-ok on the same channel sees the binding.
 */
public final class TopologyClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ConcurrentHashMap<String, RoutingTable> tables;
    private final ClusterSharding sharding;
    private final ActorSystem<?> system;
    private volatile ActorRef<RoutingReplica.Command> replica;

    public TopologyClient(ActorSystem<?> system, ConcurrentHashMap<String, RoutingTable> tables) {
        this.system = system;
        this.tables = tables;
        this.sharding = ClusterSharding.get(system);
    }

    public void attachReplica(ActorRef<RoutingReplica.Command> replica) {
        this.replica = replica;
    }

    /** This node's routing table of a vhost; safe to read from any thread. */
    public RoutingTable table(String vhost) {
        RoutingTable table = tables.computeIfAbsent(vhost, RoutingTable::withDefaults);
        Function<String, Function<String, String>> alternates = policyAlternates;
        // tables are replaced whole on a snapshot: the first reader of a new one hands it the policy lookup
        if (alternates != null && !table.hasPolicyAlternates()) table.policyAlternates(alternates.apply(vhost));
        return table;
    }

    private volatile Function<String, Function<String, String>> policyAlternates;

    /** Where routing finds the alternate exchange a policy gives an exchange: per vhost, exchange name to AE or null. */
    public void policyAlternates(Function<String, Function<String, String>> byVhost) {
        this.policyAlternates = byVhost;
    }

    public CompletionStage<Long> declareExchange(String vhost, ExchangeDefinition def) {
        return change(vhost, r -> new TopologyCommand.DeclareExchange(def, r));
    }

    public CompletionStage<Long> deleteExchange(String vhost, String name, boolean ifUnused) {
        return change(vhost, r -> new TopologyCommand.DeleteExchange(name, ifUnused, r));
    }

    public CompletionStage<Long> bind(String vhost, Binding b) {
        return change(vhost, r -> new TopologyCommand.Bind(b, r));
    }

    public CompletionStage<Long> unbind(String vhost, Binding b) {
        return change(vhost, r -> new TopologyCommand.Unbind(b, r));
    }

    public CompletionStage<Long> declareQueue(String vhost, String name, boolean durable) {
        return change(vhost, r -> new TopologyCommand.DeclareQueue(name, durable, r));
    }

    public CompletionStage<Long> deleteQueue(String vhost, String name) {
        return change(vhost, r -> new TopologyCommand.DeleteQueue(name, r));
    }

    private CompletionStage<Long> change(String vhost, Function<ActorRef<TopologyReply>, TopologyCommand> command) {
        CompletionStage<TopologyReply> reply = sharding.entityRefFor(TopologyEntity.TYPE_KEY, TopologyIds.of(vhost))
                .ask(command::apply, TIMEOUT);
        return reply.thenCompose(r -> {
            if (r instanceof TopologyReply.Failed f) {
                return CompletableFuture.failedFuture(AmqpException.channel(f.replyCode(), f.replyText()));
            }
            TopologyReply.Done done = (TopologyReply.Done) r;
            CompletableFuture<Long> here = new CompletableFuture<>();
            replica.tell(new RoutingReplica.AwaitVersion(vhost, done.epoch(), done.version(), () -> here.complete(done.version())));
            return here;
        });
    }
}
