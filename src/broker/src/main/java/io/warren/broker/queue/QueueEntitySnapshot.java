package io.warren.broker.queue;

import io.warren.broker.protocol.WarrenSerializable;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueSnapshot;

/** A queue entity's snapshot: its definition and the core's persistent messages (null definition: no queue). */
public record QueueEntitySnapshot(QueueDefinition definition, QueueSnapshot queue) implements WarrenSerializable {}
