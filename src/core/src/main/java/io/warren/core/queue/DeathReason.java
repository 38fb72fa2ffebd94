package io.warren.core.queue;

/** Why a message was dead-lettered, with the name RabbitMQ writes in x-death and x-*-death-reason. */
public enum DeathReason {
    EXPIRED("expired"),
    REJECTED("rejected"),
    MAXLEN("maxlen");

    private final String wireName;

    DeathReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
