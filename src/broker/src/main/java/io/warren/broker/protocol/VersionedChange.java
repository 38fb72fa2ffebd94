package io.warren.broker.protocol;


/** A change as replicas receive it: which vhost and which version it makes. */
public record VersionedChange(String vhost, long epoch, long version, TopologyChange change) implements WarrenSerializable {}
