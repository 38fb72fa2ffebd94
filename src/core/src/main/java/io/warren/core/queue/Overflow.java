package io.warren.core.queue;

/** x-overflow: what a queue does when x-max-length or x-max-length-bytes is reached. */
public enum Overflow {
    /** Default: accept the new message and drop (dead-letter, reason maxlen) the oldest ready ones. */
    DROP_HEAD("drop-head"),
    /** Refuse the new message: the publisher gets a nack (with confirms), nothing is dead-lettered. */
    REJECT_PUBLISH("reject-publish"),
    /** Refuse the new message and dead-letter it (reason maxlen). */
    REJECT_PUBLISH_DLX("reject-publish-dlx");

    private final String wireName;

    Overflow(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static Overflow fromWireName(String name) {
        for (Overflow o : values()) {
            if (o.wireName.equals(name)) {
                return o;
            }
        }
        return null;
    }
}
