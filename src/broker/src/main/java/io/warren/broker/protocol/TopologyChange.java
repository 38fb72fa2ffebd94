package io.warren.broker.protocol;

import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;

/**
 * One change to a vhost's routing table. Durable ones are the topology entity's journal events; all of them are
 * published, numbered, to every node's replica.
 */
public sealed interface TopologyChange extends WarrenSerializable {
    record ExchangeDeclared(ExchangeDefinition definition) implements TopologyChange {}
    record ExchangeDeleted(String name) implements TopologyChange {}
    record Bound(Binding binding) implements TopologyChange {}
    record Unbound(Binding binding) implements TopologyChange {}
    record QueueDeclared(String name, boolean durable) implements TopologyChange {}
    record QueueDeleted(String name) implements TopologyChange {}
}
