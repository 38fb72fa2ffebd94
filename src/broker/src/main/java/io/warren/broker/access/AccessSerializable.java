package io.warren.broker.access;

/** Marker for what {@link AccessSerializer} writes: the access entity's commands, replies, snapshots and events. */
public interface AccessSerializable {}
