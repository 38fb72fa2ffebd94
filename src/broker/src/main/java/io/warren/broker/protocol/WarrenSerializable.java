package io.warren.broker.protocol;

/** Marker for everything Warren writes to the journal or sends between nodes; bound to {@code WarrenSerializer} in reference.conf. */
public interface WarrenSerializable {}
