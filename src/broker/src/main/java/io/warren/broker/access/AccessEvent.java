package io.warren.broker.access;

import io.warren.broker.protocol.AccessSerializable;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;

/** What the access entity journals: the seed a fresh cluster started from, then every change. */
public sealed interface AccessEvent extends AccessSerializable {
    record Seeded(AccessState state) implements AccessEvent {}

    record Changed(AccessChange change) implements AccessEvent {}
}
