package io.warren.server.management;

import io.warren.broker.connection.ConnectionRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One open AMQP connection as its node reports it. Client properties are reduced to their text values (product,
 * version, platform, connection_name, ...), which is what listings show and what crosses nodes as CBOR safely.
 * {@code channelList} holds its channels as of the connection's last refresh (at most about a second old).
 */
public record ConnectionFigures(String id, String name, String user, String vhost, String peer, long connectedAt,
                                Map<String, String> clientProperties, int channels, int frameMax, int channelMax,
                                int heartbeat, List<ChannelFigures> channelList) implements ManagementSerializable {

    public ConnectionFigures {
        channelList = channelList == null ? List.of() : List.copyOf(channelList);
    }

    /** A connection whose channels are not reported. */
    public ConnectionFigures(String id, String name, String user, String vhost, String peer, long connectedAt,
                             Map<String, String> clientProperties, int channels, int frameMax, int channelMax,
                             int heartbeat) {
        this(id, name, user, vhost, peer, connectedAt, clientProperties, channels, frameMax, channelMax, heartbeat, List.of());
    }

    public static ConnectionFigures of(ConnectionRegistry.Details d, List<ConnectionRegistry.ChannelDetails> channels) {
        Map<String, String> props = new LinkedHashMap<>();
        d.clientProperties().forEach((k, v) -> {
            if (v instanceof String || v instanceof Number || v instanceof Boolean) props.put(k, String.valueOf(v));
            else if (v instanceof byte[] b) props.put(k, new String(b, java.nio.charset.StandardCharsets.UTF_8));
        });
        return new ConnectionFigures(d.id(), d.name(), d.user(), d.vhost(), d.peer(), d.connectedAt(), props,
                d.channels(), d.frameMax(), d.channelMax(), d.heartbeat(),
                channels.stream().map(ChannelFigures::of).toList());
    }
}
