package io.warren.core.access;

/** What a permission is checked against, as RabbitMQ names it in refusal texts. */
public enum ResourceKind {
    QUEUE, EXCHANGE;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
