package io.warren.server.management;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Whether this node's AMQP listener is bound and accepting: set by the server once the node has started, cleared
 * as soon as a stop begins, so that a load balancer stops sending clients to a node that is going away. Kept per
 * actor system (an extension), since tests run several nodes in one JVM.
 */
public final class AmqpReadiness implements Extension {

    /** The extension id; {@code AmqpReadiness.ID.get(system)}. */
    public static final Id ID = new Id();

    public static final class Id extends AbstractExtensionId<AmqpReadiness> implements ExtensionIdProvider {
        @Override
        public AmqpReadiness createExtension(ExtendedActorSystem system) {
            return new AmqpReadiness();
        }

        @Override
        public Id lookup() {
            return ID;
        }
    }

    private final AtomicBoolean listening = new AtomicBoolean();

    public static AmqpReadiness get(ActorSystem system) {
        return ID.get(system);
    }

    public void listening(boolean value) {
        listening.set(value);
    }

    public boolean isListening() {
        return listening.get();
    }
}
