package io.warren.core.queue;

/** Why a message was dead-lettered, with the name RabbitMQ writes in x-death and x-*-death-reason. */
public enum DeathReason {
    EXPIRED("expired"),
    REJECTED("rejected"),
    MAXLEN("maxlen"),
    /** A quorum queue's message returned more often than x-delivery-limit. */
    DELIVERY_LIMIT("delivery_limit");

    private final String wireName;

    DeathReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
