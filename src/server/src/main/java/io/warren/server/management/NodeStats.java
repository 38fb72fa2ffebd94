package io.warren.server.management;

import io.warren.broker.BrokerContext;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One per node, registered with the Receptionist: answers with this node's {@link NodeReport}, so that the
 * management API of any node can show the queues of every node. It reads the broker's node-local figures and never
 * asks (or wakes) a queue entity.
 */
public final class NodeStats {

    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "warren-node-stats");

    public sealed interface Command extends ManagementSerializable permits GetReport, CloseConnection, CloseVhostConnections {}

    /** Close this node's connection of that name, if it has one (connection.close 320 with the text). */
    public record CloseConnection(String name, String text) implements Command {}

    /** Close this node's connections to that vhost (it was deleted): connection.close 320 with the text. */
    public record CloseVhostConnections(String vhost, String text) implements Command {}

    /** Reply with this node's report. */
    public record GetReport(ActorRef<NodeReport> replyTo) implements Command {}

    private NodeStats() {}

    public static Behavior<Command> create(BrokerContext broker, String address) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
            return Behaviors.receive(Command.class)
                    .onMessage(GetReport.class, get -> {
                        get.replyTo().tell(report(ctx.getSystem(), broker, address));
                        return Behaviors.same();
                    })
                    .onMessage(CloseConnection.class, c -> {
                        broker.connections().close(c.name(), io.warren.amqp.ReplyCodes.CONNECTION_FORCED, c.text());
                        return Behaviors.same();
                    })
                    .onMessage(CloseVhostConnections.class, c -> {
                        broker.connections().closeVhost(c.vhost(), io.warren.amqp.ReplyCodes.CONNECTION_FORCED, c.text());
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** This node's report, read directly (the local node needs no message round trip for /metrics). */
    public static NodeReport report(ActorSystem<?> system, BrokerContext broker, String address) {
        List<QueueFigures> queues = broker.localQueues().all().stream().map(QueueFigures::of).toList();
        var connections = broker.connections();
        return new NodeReport(address, broker.settings().nodeName(),
                ManagementFactory.getRuntimeMXBean().getUptime(), connections.size(), queues,
                connections.details().stream().map(d -> ConnectionFigures.of(d, connections.channelsOf(d.id()))).toList(),
                broker.alarms().raised(), broker.alarms().journal().reason(),
                NodeResources.measure(java.nio.file.Path.of(system.settings().config().getString("warren.data-dir"))));
    }

    /** Spawns this node's NodeStats as a system actor; it registers itself and lives as long as the node. */
    public static ActorRef<Command> spawn(ActorSystem<?> system, BrokerContext broker) {
        String address = Cluster.get(system).selfMember().address().toString();
        return system.systemActorOf(create(broker, address), "warren-node-stats", Props.empty());
    }
}
