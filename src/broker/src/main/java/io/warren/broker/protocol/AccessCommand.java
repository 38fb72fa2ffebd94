package io.warren.broker.protocol;

import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import org.apache.pekko.actor.typed.ActorRef;

/** What the cluster's one access entity is asked. */
public sealed interface AccessCommand extends AccessSerializable {
    /**
     * The whole state, for a node's replica. A cluster that has never had access state takes {@code seed} (the asking
     * node's config) as its first state: the config file only seeds a fresh cluster.
     */
    record Load(AccessState seed, ActorRef<AccessSnapshot> replyTo) implements AccessCommand {}

    record Change(AccessChange change, ActorRef<AccessReply> replyTo) implements AccessCommand {}
}
