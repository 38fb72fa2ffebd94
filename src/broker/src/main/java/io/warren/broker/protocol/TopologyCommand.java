package io.warren.broker.protocol;

import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import org.apache.pekko.actor.typed.ActorRef;

/** What a vhost's topology entity (the one writer of its exchanges, bindings and queue names) is told. */
public sealed interface TopologyCommand extends WarrenSerializable {
    record DeclareExchange(ExchangeDefinition definition, ActorRef<TopologyReply> replyTo) implements TopologyCommand {}
    record DeleteExchange(String name, boolean ifUnused, ActorRef<TopologyReply> replyTo) implements TopologyCommand {}
    record Bind(Binding binding, ActorRef<TopologyReply> replyTo) implements TopologyCommand {}
    record Unbind(Binding binding, ActorRef<TopologyReply> replyTo) implements TopologyCommand {}
    record DeclareQueue(String name, boolean durable, ActorRef<TopologyReply> replyTo) implements TopologyCommand {}
    record DeleteQueue(String name, ActorRef<TopologyReply> replyTo) implements TopologyCommand {}
    /** A node's replica asks for everything, at start or after it missed a change. */
    record GetSnapshot(ActorRef<TopologySnapshot> replyTo) implements TopologyCommand {}
}
