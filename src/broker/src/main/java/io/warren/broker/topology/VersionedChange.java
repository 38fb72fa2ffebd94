package io.warren.broker.topology;

import io.warren.broker.serialization.WarrenSerializable;

/** A change as replicas receive it: which vhost and which version it makes. */
public record VersionedChange(String vhost, long epoch, long version, TopologyChange change) implements WarrenSerializable {}
