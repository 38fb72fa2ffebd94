package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import io.warren.core.names.Names;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exchanges, bindings and queue names of one virtual host, and routing through them.
 * <p>
 * Concurrency: one writer, many readers. Mutators are synchronized (so a second writer is safe, just
 * serialized); readers ({@link #route}, {@link #exchange}, {@link #hasQueue}, the listings) never lock. Each
 * exchange's definition and bindings sit in one immutable entry that a change replaces whole, so a reader
 * sees an exchange either before or after a change, never half of it. Changes spanning several exchanges are
 * ordered so that readers cannot tell: a deleted queue leaves the queue set before its bindings are removed
 * (and routing only yields queues in the set), a deleted exchange leaves the map before the bindings into it.
 * <p>
 * Routing follows RabbitMQ 3.13: the default exchange "" sends to the queue named by each routing key;
 * exchange-to-exchange bindings are followed with every exchange visited at most once; an exchange whose
 * own bindings yield nothing hands the message to its alternate exchange, if that exists.
 */
public final class RoutingTable {
    public static final String DEFAULT_EXCHANGE = Names.DEFAULT_EXCHANGE;

    /** One exchange as readers see it; replaced whole on every change. */
    private record Entry(ExchangeDefinition definition, ExchangeRouter router, String alternateExchange) {
        Entry(ExchangeDefinition definition, ExchangeRouter router) {
            this(definition, router, definition.alternateExchangeOrNull());
        }

        Entry withRouter(ExchangeRouter newRouter) {
            return new Entry(definition, newRouter, alternateExchange);
        }
    }

    private final String vhost;
    private final ConcurrentHashMap<String, Entry> exchanges = new ConcurrentHashMap<>();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    /** Reverse index for queue and exchange deletion; written only under the writer lock. */
    private final ConcurrentHashMap<Destination, Set<Binding>> bindingsByDestination = new ConcurrentHashMap<>();

    /**
     * The alternate exchange a policy gives an exchange (by name; null for none), for exchanges without an
     * {@code alternate-exchange} argument of their own (the argument wins, as in RabbitMQ); null until set.
     */
    private volatile java.util.function.Function<String, String> policyAlternates;

    public RoutingTable() {
        this("/");
    }

    public boolean hasPolicyAlternates() {
        return policyAlternates != null;
    }

    public void policyAlternates(java.util.function.Function<String, String> lookup) {
        this.policyAlternates = lookup;
    }

    /** An empty table; the vhost name only appears in error texts. */
    public RoutingTable(String vhost) {
        this.vhost = vhost;
    }

    /** A table with the exchanges every RabbitMQ vhost has: "", amq.direct, amq.fanout, amq.topic, amq.headers, amq.match. */
    public static RoutingTable withDefaults() {
        return withDefaults("/");
    }

    public static RoutingTable withDefaults(String vhost) {
        RoutingTable table = new RoutingTable(vhost);
        table.declareExchange(ExchangeDefinition.durable(DEFAULT_EXCHANGE, ExchangeType.DIRECT));
        table.declareExchange(ExchangeDefinition.durable("amq.direct", ExchangeType.DIRECT));
        table.declareExchange(ExchangeDefinition.durable("amq.fanout", ExchangeType.FANOUT));
        table.declareExchange(ExchangeDefinition.durable("amq.topic", ExchangeType.TOPIC));
        table.declareExchange(ExchangeDefinition.durable("amq.headers", ExchangeType.HEADERS));
        table.declareExchange(ExchangeDefinition.durable("amq.match", ExchangeType.HEADERS));
        return table;
    }

    public String vhost() {
        return vhost;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Adds the exchange, or replaces the definition of an existing one keeping its bindings (the caller has
     * checked equivalence; a replicated redefinition with another type re-indexes the bindings).
     */
    public synchronized void declareExchange(ExchangeDefinition definition) {
        Entry existing = exchanges.get(definition.name());
        ExchangeRouter router = ExchangeRouter.empty(definition.type());
        if (existing != null) {
            router = existing.router.type() == definition.type()
                    ? existing.router
                    : router.addAll(existing.router.bindings());
        }
        exchanges.put(definition.name(), new Entry(definition, router));
    }

    /** Deletes the exchange and every binding from or to it; false if there was no such exchange. */
    public boolean deleteExchange(String name) {
        return deleteExchangeCascading(name).deleted();
    }

    /**
     * Deletes the exchange and every binding from or to it, then, as RabbitMQ does, every auto-delete
     * exchange that thereby lost its last binding as source (and so on, transitively).
     */
    public synchronized ExchangeDeletion deleteExchangeCascading(String name) {
        List<String> autoDeleted = new ArrayList<>();
        boolean deleted = deleteExchangeInternal(name, autoDeleted);
        return new ExchangeDeletion(deleted, autoDeleted);
    }

    public synchronized void declareQueue(String name) {
        queues.add(name);
    }

    /**
     * Forgets the queue and drops its bindings; returns the auto-delete exchanges deleted because they lost
     * their last binding (transitively), in deletion order.
     */
    public synchronized List<String> removeQueue(String name) {
        queues.remove(name);
        List<String> autoDeleted = new ArrayList<>();
        removeBindingsTo(Destination.queue(name), autoDeleted);
        return autoDeleted;
    }

    /**
     * Adds the binding; false if the same binding (source, destination, key and arguments) already exists.
     * Throws RabbitMQ's errors: 403 for the default exchange as source or destination, 404 for a missing source
     * or destination (source reported first), 406 for a headers binding with a bad x-match.
     */
    public synchronized boolean bind(Binding binding) {
        Entry source = checkBindable(binding);
        ExchangeRouter updated = source.router.add(binding);
        if (updated == source.router) {
            return false;
        }
        exchanges.put(binding.source(), source.withRouter(updated));
        bindingsByDestination.computeIfAbsent(binding.destination(), d -> ConcurrentHashMap.newKeySet()).add(binding);
        return true;
    }

    /**
     * Adds many bindings with one router rebuild per source exchange (for recovery and replica loads), with
     * the same checks as {@link #bind}; nothing is added if any binding fails them. Returns how many were new.
     */
    public synchronized int bindAll(Collection<Binding> bindings) {
        Map<String, List<Binding>> bySource = new LinkedHashMap<>();
        for (Binding b : bindings) {
            checkBindable(b);
            bySource.computeIfAbsent(b.source(), s -> new ArrayList<>()).add(b);
        }
        int added = 0;
        for (Map.Entry<String, List<Binding>> e : bySource.entrySet()) {
            Entry source = exchanges.get(e.getKey());
            ExchangeRouter updated = source.router.addAll(e.getValue());
            added += updated.size() - source.router.size();
            exchanges.put(e.getKey(), source.withRouter(updated));
            for (Binding b : e.getValue()) {
                bindingsByDestination.computeIfAbsent(b.destination(), d -> ConcurrentHashMap.newKeySet()).add(b);
            }
        }
        return added;
    }

    /**
     * The checks {@link #bind} makes, without binding: the writer of the routing table runs them before it accepts a
     * change (a replica applying it later tolerates failures, so they must not reach it).
     */
    public synchronized void checkBinding(Binding binding) {
        checkBindable(binding);
    }

    private Entry checkBindable(Binding binding) {
        if (binding.source().isEmpty()
                || (binding.destination().isExchange() && binding.destination().name().isEmpty())) {
            throw Names.defaultExchangeForbidden();
        }
        Entry source = exchanges.get(binding.source());
        if (source == null) {
            throw Names.noExchange(binding.source(), vhost);
        }
        Destination destination = binding.destination();
        if (destination.isQueue() ? !queues.contains(destination.name()) : !exchanges.containsKey(destination.name())) {
            throw destination.isQueue() ? Names.noQueue(destination.name(), vhost) : Names.noExchange(destination.name(), vhost);
        }
        if (source.definition.type() == ExchangeType.HEADERS) {
            HeadersRouter.validateBindingArguments(binding.arguments());
        }
        return source;
    }

    /**
     * Removes the binding if present. Missing source or destination is not an error here (the broker checks
     * those with {@link #requireExchange}/{@link #requireQueue} first), so replicated removals apply in any order.
     * If the source is auto-delete and this was its last binding, it is deleted too.
     */
    public synchronized UnbindResult unbind(Binding binding) {
        Entry source = exchanges.get(binding.source());
        if (source == null) {
            return new UnbindResult(false, List.of());
        }
        ExchangeRouter updated = source.router.remove(binding);
        if (updated == source.router) {
            return new UnbindResult(false, List.of());
        }
        exchanges.put(binding.source(), source.withRouter(updated));
        removeFromIndex(binding);
        List<String> autoDeleted = new ArrayList<>();
        if (updated.isEmpty() && source.definition.autoDelete()) {
            autoDeleted.add(binding.source());
            deleteExchangeInternal(binding.source(), autoDeleted);
        }
        return new UnbindResult(true, autoDeleted);
    }

    private boolean deleteExchangeInternal(String name, List<String> autoDeleted) {
        // gone from the map first: from here on no reader routes into or through it
        Entry entry = exchanges.remove(name);
        if (entry == null) {
            return false;
        }
        for (Binding b : entry.router.bindings()) {
            removeFromIndex(b);
        }
        removeBindingsTo(Destination.exchange(name), autoDeleted);
        return true;
    }

    private void removeBindingsTo(Destination destination, List<String> autoDeleted) {
        Set<Binding> incoming = bindingsByDestination.remove(destination);
        if (incoming == null || incoming.isEmpty()) {
            return;
        }
        Map<String, List<Binding>> bySource = new LinkedHashMap<>();
        for (Binding b : incoming) {
            bySource.computeIfAbsent(b.source(), s -> new ArrayList<>()).add(b);
        }
        LinkedHashSet<String> emptied = new LinkedHashSet<>();
        for (Map.Entry<String, List<Binding>> e : bySource.entrySet()) {
            Entry source = exchanges.get(e.getKey());
            if (source == null) {
                continue;
            }
            ExchangeRouter router = source.router;
            for (Binding b : e.getValue()) {
                router = router.remove(b);
            }
            exchanges.put(e.getKey(), source.withRouter(router));
            if (router.isEmpty() && source.definition.autoDelete()) {
                emptied.add(e.getKey());
            }
        }
        for (String name : emptied) {
            Entry source = exchanges.get(name);
            // re-checked: an earlier cascade step may have deleted it already
            if (source != null && source.router.isEmpty()) {
                autoDeleted.add(name);
                deleteExchangeInternal(name, autoDeleted);
            }
        }
    }

    private void removeFromIndex(Binding binding) {
        Set<Binding> set = bindingsByDestination.get(binding.destination());
        if (set != null) {
            set.remove(binding);
            if (set.isEmpty()) {
                bindingsByDestination.remove(binding.destination());
            }
        }
    }

    // ---------------------------------------------------------------- reads

    public Optional<ExchangeDefinition> exchange(String name) {
        Entry entry = exchanges.get(name);
        return entry == null ? Optional.empty() : Optional.of(entry.definition);
    }

    /** The exchange's definition or RabbitMQ's 404 "NOT_FOUND - no exchange 'x' in vhost '/'". */
    public ExchangeDefinition requireExchange(String name) {
        Entry entry = exchanges.get(name);
        if (entry == null) {
            throw Names.noExchange(name, vhost);
        }
        return entry.definition;
    }

    /** Throws RabbitMQ's 404 "NOT_FOUND - no queue 'q' in vhost '/'" unless the queue is known. */
    public void requireQueue(String name) {
        if (!queues.contains(name)) {
            throw Names.noQueue(name, vhost);
        }
    }

    public boolean hasQueue(String name) {
        return queues.contains(name);
    }

    public Set<String> queues() {
        return Set.copyOf(queues);
    }

    public int queueCount() {
        return queues.size();
    }

    public Collection<ExchangeDefinition> exchanges() {
        List<ExchangeDefinition> all = new ArrayList<>(exchanges.size());
        for (Entry entry : exchanges.values()) {
            all.add(entry.definition);
        }
        return all;
    }

    public List<Binding> bindingsFrom(String exchange) {
        Entry entry = exchanges.get(exchange);
        return entry == null ? List.of() : List.copyOf(entry.router.bindings());
    }

    public List<Binding> bindingsTo(Destination destination) {
        Set<Binding> set = bindingsByDestination.get(destination);
        return set == null ? List.of() : List.copyOf(set);
    }

    public List<Binding> allBindings() {
        List<Binding> all = new ArrayList<>();
        for (Entry entry : exchanges.values()) {
            all.addAll(entry.router.bindings());
        }
        return all;
    }

    public boolean hasBinding(Binding binding) {
        Entry entry = exchanges.get(binding.source());
        return entry != null && entry.router.contains(binding);
    }

    /** Whether the exchange is the source of any binding (exchange.delete if-unused refuses then, with 406). */
    public boolean isInUse(String exchange) {
        Entry entry = exchanges.get(exchange);
        return entry != null && !entry.router.isEmpty();
    }

    /** {@link #route(String, List, Map)} for a message without CC/BCC keys. */
    public Set<String> route(String exchange, String routingKey, Map<String, Object> headers) {
        return route(exchange, routingKey, null, headers);
    }

    /**
     * The queues a message published to {@code exchange} reaches. All routing keys (the routing key, then
     * CC and BCC) are routed together: an exchange's alternate exchange is used only when no key routed
     * anywhere from that exchange. Unknown exchange or no route: an empty set. The result may be immutable
     * and must not be modified.
     */
    public Set<String> route(String exchange, List<String> routingKeys, Map<String, Object> headers) {
        if (routingKeys.size() == 1) {
            return route(exchange, routingKeys.get(0), null, headers);
        }
        return route(exchange, null, routingKeys, headers);
    }

    // exactly one of singleKey and keys is non-null
    private Set<String> route(String exchange, String singleKey, List<String> keys, Map<String, Object> headers) {
        Entry entry = exchanges.get(exchange);
        if (entry == null) {
            return Set.of();
        }
        if (exchange.isEmpty() && singleKey != null) {
            return queues.contains(singleKey) ? Set.of(singleKey) : Set.of();
        }
        RouteCollector collector = new RouteCollector(queues, exchange);
        java.util.function.Function<String, String> byPolicy = policyAlternates;
        routeThrough(exchange, entry, singleKey, keys, headers, collector, byPolicy);
        for (String next = collector.nextExchange(); next != null; next = collector.nextExchange()) {
            Entry nextEntry = exchanges.get(next);
            if (nextEntry != null) {
                routeThrough(next, nextEntry, singleKey, keys, headers, collector, byPolicy);
            }
        }
        return collector.result();
    }

    private static void routeThrough(String name, Entry entry, String singleKey, List<String> keys,
                                     Map<String, Object> headers, RouteCollector collector,
                                     java.util.function.Function<String, String> byPolicy) {
        collector.emitted = false;
        if (name.isEmpty()) {
            // the default exchange: every key names a queue
            if (singleKey != null) {
                collector.addQueueIfExists(singleKey);
            } else {
                for (int i = 0; i < keys.size(); i++) {
                    collector.addQueueIfExists(keys.get(i));
                }
            }
            return;
        }
        ExchangeRouter router = entry.router;
        if (singleKey != null) {
            router.route(singleKey, headers, collector);
        } else if (!router.usesRoutingKey()) {
            router.route(keys.isEmpty() ? "" : keys.get(0), headers, collector);
        } else {
            for (int i = 0; i < keys.size(); i++) {
                router.route(keys.get(i), headers, collector);
            }
        }
        if (!collector.emitted) {
            String alternate = entry.alternateExchange != null ? entry.alternateExchange
                    : byPolicy != null ? byPolicy.apply(name) : null;
            if (alternate != null) collector.offerExchange(alternate);
        }
    }
}
