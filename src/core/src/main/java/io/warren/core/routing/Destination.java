package io.warren.core.routing;

import java.util.Objects;

/** Where a binding leads: a queue or another exchange (exchange-to-exchange binding), by name. */
public record Destination(Kind kind, String name) {
    public enum Kind { QUEUE, EXCHANGE }

    public Destination {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }

    public static Destination queue(String name) {
        return new Destination(Kind.QUEUE, name);
    }

    public static Destination exchange(String name) {
        return new Destination(Kind.EXCHANGE, name);
    }

    public boolean isQueue() {
        return kind == Kind.QUEUE;
    }

    public boolean isExchange() {
        return kind == Kind.EXCHANGE;
    }

    /** "queue 'q'" / "exchange 'x'", the resource wording RabbitMQ uses in reply texts. */
    public String describe(String vhost) {
        return (kind == Kind.QUEUE ? "queue" : "exchange") + " '" + name + "' in vhost '" + vhost + "'";
    }
}
