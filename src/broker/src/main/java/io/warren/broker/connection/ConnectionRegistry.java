package io.warren.broker.connection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/** The connections open on this node, so a shutdown can close each with connection.close 320. */
public final class ConnectionRegistry {
    private final Map<String, ActorRef<ConnectionProtocol>> open = new ConcurrentHashMap<>();

    void register(String id, ActorRef<ConnectionProtocol> ref) { open.put(id, ref); }

    void unregister(String id) { open.remove(id); }

    public int size() { return open.size(); }

    public void closeAll(int code, String text) {
        open.values().forEach(c -> c.tell(new ConnectionProtocol.ForceClose(code, text)));
    }
}
