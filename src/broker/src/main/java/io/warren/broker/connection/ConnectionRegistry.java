package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import java.util.Collection;
import java.util.List;
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

    /**
     * One channel as the management API shows it (RabbitMQ's /api/channels fields), as of its connection's last
     * refresh (at most a second old: the connection refreshes it on its resend tick).
     */
    public record ChannelDetails(int number, int prefetchCount, int globalPrefetchCount, boolean confirm,
                                 boolean transactional, int messagesUnacknowledged, int messagesUnconfirmed,
                                 List<ConsumerDetails> consumers) {
        public ChannelDetails {
            consumers = List.copyOf(consumers);
        }

        /** A channel as its core's figures describe it. */
        static ChannelDetails of(int number, io.warren.core.channel.ChannelCore.Figures f) {
            List<ConsumerDetails> list = new java.util.ArrayList<>();
            for (io.warren.core.channel.ChannelConsumers.Consumer c : f.consumers()) {
                list.add(new ConsumerDetails(c.tag(), c.queue(), !c.noAck(), c.ownLimit(), c.exclusive(), c.priority()));
            }
            return new ChannelDetails(number, f.prefetchCount(), f.globalPrefetchCount(), f.confirm(), f.transactional(),
                    f.unacknowledged(), f.unconfirmed(), list);
        }
    }

    /** One consumer of a channel (RabbitMQ's /api/consumers fields). */
    public record ConsumerDetails(String tag, String queue, boolean ackRequired, int prefetchCount, boolean exclusive,
                                  int priority) {}

    private final Map<String, ActorRef<ConnectionProtocol>> open = new ConcurrentHashMap<>();
    private final Map<String, Details> details = new ConcurrentHashMap<>();
    private final Map<String, List<ChannelDetails>> channelDetails = new ConcurrentHashMap<>();

    void register(String id, ActorRef<ConnectionProtocol> ref) { open.put(id, ref); }

    void unregister(String id) {
        open.remove(id);
        details.remove(id);
        channelDetails.remove(id);
    }

    void opened(Details d) { details.put(d.id(), d); }

    void channels(String id, int count) { details.computeIfPresent(id, (k, d) -> d.withChannels(count)); }

    void channelDetails(String id, List<ChannelDetails> channels) {
        if (details.containsKey(id)) channelDetails.put(id, List.copyOf(channels));
    }

    /** The channels of the open connection with this id, as of its last refresh. */
    public List<ChannelDetails> channelsOf(String id) { return channelDetails.getOrDefault(id, List.of()); }

    public int size() { return open.size(); }

    public Collection<Details> details() { return details.values(); }

    public void closeAll(int code, String text) {
        open.values().forEach(c -> c.tell(new ConnectionProtocol.ForceClose(code, text)));
    }

    /** Closes every connection open to this vhost (connection.close with the code and text); how many there were. */
    public int closeVhost(String vhost, int code, String text) {
        int closed = 0;
        for (Details d : details.values()) {
            ActorRef<ConnectionProtocol> ref = open.get(d.id());
            if (d.vhost().equals(vhost) && ref != null) {
                ref.tell(new ConnectionProtocol.ForceClose(code, text));
                closed++;
            }
        }
        return closed;
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
