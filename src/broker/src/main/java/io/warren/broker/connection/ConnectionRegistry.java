package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The connections open on this node: so a shutdown can close each with connection.close 320, and so the management
 * API can list them (once open: user and vhost known) and close one by name.
 */
public final class ConnectionRegistry {
    /** An open connection as the management API shows it; {@code name} is RabbitMQ-like "peer -> node". */
    public record Details(String id, String name, String user, String vhost, String peer, long connectedAt,
                          Map<String, Object> clientProperties, int channels, int frameMax, int channelMax, int heartbeat) {
        Details withChannels(int count) {
            return new Details(id, name, user, vhost, peer, connectedAt, clientProperties, count, frameMax, channelMax, heartbeat);
        }
    }

    private final Map<String, ActorRef<ConnectionProtocol>> open = new ConcurrentHashMap<>();
    private final Map<String, Details> details = new ConcurrentHashMap<>();

    void register(String id, ActorRef<ConnectionProtocol> ref) { open.put(id, ref); }

    void unregister(String id) {
        open.remove(id);
        details.remove(id);
    }

    void opened(Details d) { details.put(d.id(), d); }

    void channels(String id, int count) { details.computeIfPresent(id, (k, d) -> d.withChannels(count)); }

    public int size() { return open.size(); }

    public Collection<Details> details() { return details.values(); }

    public void closeAll(int code, String text) {
        open.values().forEach(c -> c.tell(new ConnectionProtocol.ForceClose(code, text)));
    }

    /** Closes the connection with this name (connection.close with the code and text); false if none here. */
    public boolean close(String name, int code, String text) {
        for (Details d : details.values()) {
            ActorRef<ConnectionProtocol> ref = open.get(d.id());
            if (d.name().equals(name) && ref != null) {
                ref.tell(new ConnectionProtocol.ForceClose(code, text));
                return true;
            }
        }
        return false;
    }
}
