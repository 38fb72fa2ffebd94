package io.warren.broker.serialization;

/** Marker for everything Warren writes to the journal or sends between nodes; bound to {@link WarrenSerializer}. */
public interface WarrenSerializable {}
