package io.warren.core.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Fanout exchange: every binding matches, whatever the routing key. */
public final class FanoutRouter implements ExchangeRouter {
    static final FanoutRouter EMPTY = new FanoutRouter(BindingGroup.EMPTY);

    private final BindingGroup group;

    private FanoutRouter(BindingGroup group) {
        this.group = group;
    }

    @Override
    public ExchangeType type() {
        return ExchangeType.FANOUT;
    }

    @Override
    public FanoutRouter add(Binding binding) {
        BindingGroup updated = group.with(binding);
        return updated == group ? this : new FanoutRouter(updated);
    }

    @Override
    public ExchangeRouter addAll(Collection<Binding> bindings) {
        List<Binding> all = new ArrayList<>(bindings());
        all.addAll(bindings);
        return new FanoutRouter(BindingGroup.of(all));
    }

    @Override
    public FanoutRouter remove(Binding binding) {
        BindingGroup updated = group.without(binding);
        return updated == group ? this : new FanoutRouter(updated);
    }

    @Override
    public void route(String routingKey, Map<String, Object> headers, Consumer<Destination> out) {
        group.emit(out);
    }

    @Override
    public boolean usesRoutingKey() {
        return false;
    }

    @Override
    public Collection<Binding> bindings() {
        return List.of(group.bindings());
    }

    @Override
    public boolean contains(Binding binding) {
        return group.contains(binding);
    }

    @Override
    public int size() {
        return group.size();
    }
}
