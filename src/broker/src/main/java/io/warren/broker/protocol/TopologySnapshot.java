package io.warren.broker.protocol;

import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import java.util.List;
import java.util.Map;

/** Everything a vhost routes by, at one version: what a replica starts from. */
public record TopologySnapshot(String vhost, long epoch, long version, List<ExchangeDefinition> exchanges,
                               Map<String, Boolean> queues, List<Binding> bindings) implements WarrenSerializable {}
