package io.warren.core.routing;

import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The bindings of one exchange, indexed for its type's matching rule. Routers are immutable: {@link #add} and
 * {@link #remove} return a new router (or this one when nothing changed, so callers can detect no-ops with
 * {@code ==}), which lets a single writer publish a new router while any number of threads route through the
 * old one without locks.
 */
public sealed interface ExchangeRouter permits DirectRouter, FanoutRouter, TopicRouter, HeadersRouter {

    ExchangeType type();

    /** This router with the binding added; this router itself if the same binding is already there. */
    ExchangeRouter add(Binding binding);

    /** This router with all the bindings added, built in one pass (for loading many bindings at once). */
    default ExchangeRouter addAll(Collection<Binding> bindings) {
        ExchangeRouter router = this;
        for (Binding b : bindings) {
            router = router.add(b);
        }
        return router;
    }

    /** This router without the binding; this router itself if it has no such binding. */
    ExchangeRouter remove(Binding binding);

    /**
     * Passes every destination that a message with this routing key and these headers (null for none)
     * reaches to {@code out}. A destination can be passed more than once (two bindings with different
     * arguments to one queue, several topic patterns matching); the caller de-duplicates.
     */
    void route(String routingKey, Map<String, Object> headers, Consumer<Destination> out);

    /** Whether the routing key takes part in matching (false for fanout and headers). */
    default boolean usesRoutingKey() {
        return true;
    }

    Collection<Binding> bindings();

    boolean contains(Binding binding);

    int size();

    default boolean isEmpty() {
        return size() == 0;
    }

    static ExchangeRouter empty(ExchangeType type) {
        return switch (type) {
            case DIRECT -> DirectRouter.EMPTY;
            case FANOUT -> FanoutRouter.EMPTY;
            case TOPIC -> TopicRouter.EMPTY;
            case HEADERS -> HeadersRouter.EMPTY;
        };
    }
}
