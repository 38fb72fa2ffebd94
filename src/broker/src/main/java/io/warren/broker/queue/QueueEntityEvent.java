package io.warren.broker.queue;

import io.warren.broker.serialization.WarrenSerializable;
import io.warren.core.queue.QueueDefinition;

/** What a queue entity writes to its journal: its creation and deletion around the core's message events. */
public sealed interface QueueEntityEvent extends WarrenSerializable {
    record Created(QueueDefinition definition) implements QueueEntityEvent {}

    record Journal(io.warren.core.queue.QueueEvent event) implements QueueEntityEvent {}

    record Deleted() implements QueueEntityEvent {}
}
