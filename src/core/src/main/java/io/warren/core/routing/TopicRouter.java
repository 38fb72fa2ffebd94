package io.warren.core.routing;

import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

/** Topic exchange: binding keys are patterns over '.'-separated words ({@link TopicTrie} has the rules). */
public final class TopicRouter implements ExchangeRouter {
    static final TopicRouter EMPTY = new TopicRouter(TopicTrie.EMPTY);

    private final TopicTrie trie;

    private TopicRouter(TopicTrie trie) {
        this.trie = trie;
    }

    @Override
    public ExchangeType type() {
        return ExchangeType.TOPIC;
    }

    @Override
    public TopicRouter add(Binding binding) {
        TopicTrie updated = trie.add(binding);
        return updated == trie ? this : new TopicRouter(updated);
    }

    @Override
    public ExchangeRouter addAll(Collection<Binding> bindings) {
        return bindings.isEmpty() ? this : new TopicRouter(trie.withAll(bindings));
    }

    @Override
    public TopicRouter remove(Binding binding) {
        TopicTrie updated = trie.remove(binding);
        return updated == trie ? this : new TopicRouter(updated);
    }

    @Override
    public void route(String routingKey, Map<String, Object> headers, Consumer<Destination> out) {
        trie.match(routingKey, out);
    }

    @Override
    public Collection<Binding> bindings() {
        return trie.bindings();
    }

    @Override
    public boolean contains(Binding binding) {
        return trie.contains(binding);
    }

    @Override
    public int size() {
        return trie.size();
    }
}
