package io.warren.broker.protocol;

import io.warren.core.access.AccessState;

/** The whole access state: the answer to a Load, and what the entity publishes to every node after each change. */
public record AccessSnapshot(AccessState state) implements AccessSerializable {}
