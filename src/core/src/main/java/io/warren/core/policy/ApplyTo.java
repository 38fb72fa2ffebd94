package io.warren.core.policy;

import io.warren.core.queue.QueueType;

/**
 * What a policy applies to. RabbitMQ 3.10 knows queues, exchanges and all; classic_queues and quorum_queues (newer
 * RabbitMQ) are accepted too, so definitions from newer brokers import.
 */
public enum ApplyTo {
    ALL("all"), QUEUES("queues"), EXCHANGES("exchanges"), CLASSIC_QUEUES("classic_queues"), QUORUM_QUEUES("quorum_queues");

    private final String wireName;

    ApplyTo(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean appliesToQueue(QueueType type) {
        return switch (this) {
            case ALL, QUEUES -> true;
            case EXCHANGES -> false;
            case CLASSIC_QUEUES -> type == QueueType.CLASSIC;
            case QUORUM_QUEUES -> type == QueueType.QUORUM;
        };
    }

    public boolean appliesToExchanges() {
        return this == ALL || this == EXCHANGES;
    }

    /** RabbitMQ's text for anything else: {@code apply-to 'x' unrecognised; should be 'queues', 'exchanges' or 'all'}. */
    public static ApplyTo fromWireName(String name) {
        for (ApplyTo a : values()) {
            if (a.wireName.equals(name)) return a;
        }
        throw new PolicyException("apply-to '" + name + "' unrecognised; should be 'queues', 'exchanges' or 'all'");
    }
}
