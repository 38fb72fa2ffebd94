package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.BrokerContext;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Parent of every connection actor on the node, so they all live under /system/amqp-connections/: one path that
 * remoting can route over its large-message lane (deliveries of big bodies) without sending the cluster's own
 * traffic there too.
 */
public final class ConnectionSupervisor {
    private ConnectionSupervisor() {}

    public record Spawn(String connectionId, String remoteAddress, long number, ActorRef<ActorRef<ConnectionProtocol>> replyTo) {}

    public static Behavior<Spawn> create(BrokerContext broker) {
        return Behaviors.receive((ctx, spawn) -> {
            // A connection that crashes is stopped (its socket closes); it never takes the others with it.
            ActorRef<ConnectionProtocol> ref = ctx.spawn(
                    Behaviors.supervise(ConnectionActor.create(broker, spawn.connectionId(), spawn.remoteAddress()))
                            .onFailure(SupervisorStrategy.stop()),
                    "c" + spawn.number());
            spawn.replyTo().tell(ref);
            return Behaviors.same();
        });
    }
}
