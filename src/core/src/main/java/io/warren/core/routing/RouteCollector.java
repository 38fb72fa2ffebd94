package io.warren.core.routing;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The state of one route() call: queues found so far, exchanges still to visit and exchanges already visited.
 * One per call, and the only allocation of a simple publish besides the result; the visited set and the work
 * list only come into being when an exchange-to-exchange binding or an alternate exchange is followed.
 */
final class RouteCollector implements Consumer<Destination> {
    private final Set<String> existingQueues;
    private final String start;

    private String firstQueue;
    private HashSet<String> queues;
    private HashSet<String> seenExchanges;
    private ArrayDeque<String> pendingExchanges;
    /** Whether the exchange being routed produced any destination (decides whether its alternate is used). */
    boolean emitted;

    RouteCollector(Set<String> existingQueues, String start) {
        this.existingQueues = existingQueues;
        this.start = start;
    }

    @Override
    public void accept(Destination destination) {
        emitted = true;
        if (destination.isQueue()) {
            addQueueIfExists(destination.name());
        } else {
            offerExchange(destination.name());
        }
    }

    void addQueueIfExists(String queue) {
        // a queue being deleted leaves the queue set before its bindings go: readers never route to it
        if (!existingQueues.contains(queue)) {
            return;
        }
        if (firstQueue == null) {
            firstQueue = queue;
        } else if (!firstQueue.equals(queue)) {
            if (queues == null) {
                queues = new HashSet<>();
                queues.add(firstQueue);
            }
            queues.add(queue);
        }
    }

    /** Queues an exchange for visiting unless it has been visited or queued already (so loops end). */
    void offerExchange(String exchange) {
        if (seenExchanges == null) {
            seenExchanges = new HashSet<>();
            seenExchanges.add(start);
            pendingExchanges = new ArrayDeque<>();
        }
        if (seenExchanges.add(exchange)) {
            pendingExchanges.add(exchange);
        }
    }

    /** The next exchange to visit, or null. */
    String nextExchange() {
        return pendingExchanges == null ? null : pendingExchanges.poll();
    }

    Set<String> result() {
        if (queues != null) {
            return queues;
        }
        return firstQueue == null ? Set.of() : Set.of(firstQueue);
    }
}
