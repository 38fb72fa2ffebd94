package io.warren.core.queue;

import java.util.Set;

/**
 * The queue types Warren accepts in {@code x-queue-type}, with the declare arguments each refuses, as RabbitMQ 3.10
 * refuses them (406 {@code invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type
 * rabbit_quorum_queue}).
 *
 * <p>A quorum queue in Warren is a durable queue whose every message (persistent or not) is journalled, with
 * RabbitMQ's quorum rules on top: durable, not exclusive, not auto-delete, no priorities, a delivery limit and the
 * {@code x-delivery-count} header. Its replication is the journal database's, not Raft among brokers.
 */
public enum QueueType {
    CLASSIC("classic", "rabbit_classic_queue", Set.of(
            "x-delivery-limit", "x-quorum-initial-group-size", "x-dead-letter-strategy", "x-max-age",
            "x-max-in-memory-length", "x-max-in-memory-bytes", "x-initial-cluster-size", "x-queue-leader-locator")),
    QUORUM("quorum", "rabbit_quorum_queue", Set.of(
            "x-max-priority", "x-queue-mode", "x-max-age", "x-initial-cluster-size", "x-queue-master-locator"));

    private final String wireName;
    private final String moduleName;
    private final Set<String> refusedArguments;

    QueueType(String wireName, String moduleName, Set<String> refusedArguments) {
        this.wireName = wireName;
        this.moduleName = moduleName;
        this.refusedArguments = refusedArguments;
    }

    /** The {@code x-queue-type} value. */
    public String wireName() {
        return wireName;
    }

    /** RabbitMQ's module name, which its error texts print. */
    public String moduleName() {
        return moduleName;
    }

    /** Whether RabbitMQ refuses this declare argument for this type. */
    public boolean refuses(String argument) {
        return refusedArguments.contains(argument);
    }

    /** The type named by {@code x-queue-type}, or null when Warren has no such type. */
    public static QueueType fromWireName(String name) {
        for (QueueType t : values()) {
            if (t.wireName.equals(name)) return t;
        }
        return null;
    }
}
