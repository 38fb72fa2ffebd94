package io.warren.core.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Direct exchange: a message goes to the bindings whose key equals its routing key exactly. */
public final class DirectRouter implements ExchangeRouter {
    static final DirectRouter EMPTY = new DirectRouter(Map.of(), 0);

    // Never mutated after construction; a change copies the map (bindings change rarely, routing is hot).
    private final Map<String, BindingGroup> byKey;
    private final int size;

    private DirectRouter(Map<String, BindingGroup> byKey, int size) {
        this.byKey = byKey;
        this.size = size;
    }

    @Override
    public ExchangeType type() {
        return ExchangeType.DIRECT;
    }

    @Override
    public DirectRouter add(Binding binding) {
        BindingGroup group = byKey.getOrDefault(binding.routingKey(), BindingGroup.EMPTY);
        BindingGroup updated = group.with(binding);
        if (updated == group) {
            return this;
        }
        HashMap<String, BindingGroup> copy = new HashMap<>(byKey);
        copy.put(binding.routingKey(), updated);
        return new DirectRouter(copy, size + 1);
    }

    @Override
    public ExchangeRouter addAll(Collection<Binding> bindings) {
        Map<String, List<Binding>> grouped = new HashMap<>();
        for (Binding b : bindings()) {
            grouped.computeIfAbsent(b.routingKey(), k -> new ArrayList<>()).add(b);
        }
        for (Binding b : bindings) {
            grouped.computeIfAbsent(b.routingKey(), k -> new ArrayList<>()).add(b);
        }
        HashMap<String, BindingGroup> built = new HashMap<>();
        int total = 0;
        for (Map.Entry<String, List<Binding>> e : grouped.entrySet()) {
            BindingGroup group = BindingGroup.of(e.getValue());
            built.put(e.getKey(), group);
            total += group.size();
        }
        return new DirectRouter(built, total);
    }

    @Override
    public DirectRouter remove(Binding binding) {
        BindingGroup group = byKey.get(binding.routingKey());
        if (group == null) {
            return this;
        }
        BindingGroup updated = group.without(binding);
        if (updated == group) {
            return this;
        }
        HashMap<String, BindingGroup> copy = new HashMap<>(byKey);
        if (updated.isEmpty()) {
            copy.remove(binding.routingKey());
        } else {
            copy.put(binding.routingKey(), updated);
        }
        return new DirectRouter(copy, size - 1);
    }

    @Override
    public void route(String routingKey, Map<String, Object> headers, Consumer<Destination> out) {
        BindingGroup group = byKey.get(routingKey);
        if (group != null) {
            group.emit(out);
        }
    }

    @Override
    public Collection<Binding> bindings() {
        List<Binding> all = new ArrayList<>(size);
        for (BindingGroup group : byKey.values()) {
            group.collectBindings(all);
        }
        return all;
    }

    @Override
    public boolean contains(Binding binding) {
        BindingGroup group = byKey.get(binding.routingKey());
        return group != null && group.contains(binding);
    }

    @Override
    public int size() {
        return size;
    }
}
