package io.warren.core.routing;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Headers exchange: each binding's arguments are a pattern over the message headers ({@link HeadersMatch});
 * the routing key plays no part. Every binding is checked for every message, as in RabbitMQ.
 */
public final class HeadersRouter implements ExchangeRouter {
    static final HeadersRouter EMPTY = new HeadersRouter(new Binding[0], new HeadersMatch[0]);

    private final Binding[] bindings;
    private final HeadersMatch[] matches;

    private HeadersRouter(Binding[] bindings, HeadersMatch[] matches) {
        this.bindings = bindings;
        this.matches = matches;
    }

    /** Throws RabbitMQ's 406 when a binding's x-match argument is not one of all, any, all-with-x, any-with-x. */
    public static void validateBindingArguments(Map<String, Object> arguments) {
        if (arguments != null) {
            HeadersMatch.validate(arguments);
        }
    }

    @Override
    public ExchangeType type() {
        return ExchangeType.HEADERS;
    }

    @Override
    public HeadersRouter add(Binding binding) {
        if (contains(binding)) {
            return this;
        }
        Binding[] newBindings = Arrays.copyOf(bindings, bindings.length + 1);
        HeadersMatch[] newMatches = Arrays.copyOf(matches, matches.length + 1);
        newBindings[bindings.length] = binding;
        newMatches[matches.length] = HeadersMatch.compile(binding.arguments());
        return new HeadersRouter(newBindings, newMatches);
    }

    @Override
    public ExchangeRouter addAll(Collection<Binding> more) {
        LinkedHashSet<Binding> all = new LinkedHashSet<>(Arrays.asList(bindings));
        all.addAll(more);
        Binding[] newBindings = all.toArray(new Binding[0]);
        HeadersMatch[] newMatches = new HeadersMatch[newBindings.length];
        for (int i = 0; i < newBindings.length; i++) {
            newMatches[i] = HeadersMatch.compile(newBindings[i].arguments());
        }
        return new HeadersRouter(newBindings, newMatches);
    }

    @Override
    public HeadersRouter remove(Binding binding) {
        int index = indexOf(binding);
        if (index < 0) {
            return this;
        }
        Binding[] newBindings = new Binding[bindings.length - 1];
        HeadersMatch[] newMatches = new HeadersMatch[matches.length - 1];
        System.arraycopy(bindings, 0, newBindings, 0, index);
        System.arraycopy(bindings, index + 1, newBindings, index, bindings.length - index - 1);
        System.arraycopy(matches, 0, newMatches, 0, index);
        System.arraycopy(matches, index + 1, newMatches, index, matches.length - index - 1);
        return new HeadersRouter(newBindings, newMatches);
    }

    private int indexOf(Binding binding) {
        for (int i = 0; i < bindings.length; i++) {
            if (bindings[i].equals(binding)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void route(String routingKey, Map<String, Object> headers, Consumer<Destination> out) {
        for (int i = 0; i < bindings.length; i++) {
            if (matches[i].matches(headers)) {
                out.accept(bindings[i].destination());
            }
        }
    }

    @Override
    public boolean usesRoutingKey() {
        return false;
    }

    @Override
    public Collection<Binding> bindings() {
        return List.of(bindings);
    }

    @Override
    public boolean contains(Binding binding) {
        return indexOf(binding) >= 0;
    }

    @Override
    public int size() {
        return bindings.length;
    }
}
