package io.warren.broker.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many connections this node holds open per virtual host and per user, against warren.limits (0 = no limit).
 * A connection is counted from its connection.open until it stops; a refusal carries RabbitMQ's text. The counts
 * are per node: in a cluster each node applies the limits to its own connections.
 */
public final class ConnectionLimits {
    private record Holder(String vhost, String user) {}

    private final int perVhost;
    private final int perUser;
    private final Map<String, Holder> open = new HashMap<>();
    private final Map<String, Integer> byVhost = new HashMap<>();
    private final Map<String, Integer> byUser = new HashMap<>();

    public ConnectionLimits(int perVhost, int perUser) {
        this.perVhost = perVhost;
        this.perUser = perUser;
    }

    /** Counts the connection in, or returns the connection.close 530 text (without its prefix) that refuses it. */
    public synchronized Optional<String> admit(String connectionId, String vhost, String user) {
        int inVhost = byVhost.getOrDefault(vhost, 0);
        if (perVhost > 0 && inVhost >= perVhost) {
            return Optional.of("access to vhost '" + vhost + "' refused for user '" + user + "': connection limit ("
                    + perVhost + ") is reached");
        }
        int ofUser = byUser.getOrDefault(user, 0);
        if (perUser > 0 && ofUser >= perUser) {
            return Optional.of("Connection refused for user '" + user + "': user connection limit (" + perUser + ") is reached");
        }
        if (open.putIfAbsent(connectionId, new Holder(vhost, user)) == null) {
            byVhost.merge(vhost, 1, Integer::sum);
            byUser.merge(user, 1, Integer::sum);
        }
        return Optional.empty();
    }

    public synchronized void release(String connectionId) {
        Holder h = open.remove(connectionId);
        if (h == null) return;
        byVhost.merge(h.vhost(), -1, (a, b) -> a + b == 0 ? null : a + b);
        byUser.merge(h.user(), -1, (a, b) -> a + b == 0 ? null : a + b);
    }
}
