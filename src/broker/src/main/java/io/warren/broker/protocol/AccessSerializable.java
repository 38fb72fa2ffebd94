package io.warren.broker.protocol;

/** Marker for what {@code AccessSerializer} writes: the access entity's commands, replies, snapshots and events. */
public interface AccessSerializable {}
