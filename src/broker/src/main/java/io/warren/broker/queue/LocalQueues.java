package io.warren.broker.queue;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The queues running on this node right now, with figures their entities publish after every command. Read by the
 * management API and /metrics without asking (or waking) any entity; a passivated queue is simply not here.
 */
public final class LocalQueues {

    /**
     * A queue's figures as of its last command; {@code arguments} is its declared argument table (shared with its
     * definition, never copied per update).
     */
    public record Stats(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                        int messagesReady, int messagesUnacked, long readyBytes, int consumers,
                        long published, long delivered, long acked, java.util.Map<String, Object> arguments) {}

    private final ConcurrentHashMap<String, Stats> running = new ConcurrentHashMap<>();

    void update(String entityId, Stats stats) {
        running.put(entityId, stats);
    }

    void remove(String entityId) {
        running.remove(entityId);
    }

    public Collection<Stats> all() {
        return running.values();
    }
}
