package io.warren.broker.queue;

import io.warren.broker.protocol.WarrenSerializable;
import io.warren.core.queue.QueueDefinition;

/** What a queue entity writes to its journal: its creation and deletion around the core's message events. */
public sealed interface QueueEntityEvent extends WarrenSerializable {
    record Created(QueueDefinition definition) implements QueueEntityEvent {}

    record Journal(io.warren.core.queue.QueueEvent event) implements QueueEntityEvent {}

    /**
     * Many core events in one journal row: a group commit writes one row per about {@code QueueEntity}'s batch
     * limit in bytes instead of one row per message, which is what the database pays for (index entries, row
     * headers, page rewrites). Replayed in order, exactly as the same events written one by one.
     */
    record Batch(java.util.List<io.warren.core.queue.QueueEvent> events) implements QueueEntityEvent {}

    record Deleted() implements QueueEntityEvent {}
}
