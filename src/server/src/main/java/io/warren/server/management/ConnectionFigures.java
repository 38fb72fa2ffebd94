package io.warren.server.management;

import io.warren.broker.connection.ConnectionRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One open AMQP connection as its node reports it. Client properties are reduced to their text values (product,
 * version, platform, connection_name, ...), which is what listings show and what crosses nodes as CBOR safely.
 */
public record ConnectionFigures(String id, String name, String user, String vhost, String peer, long connectedAt,
                                Map<String, String> clientProperties, int channels, int frameMax, int channelMax,
                                int heartbeat) implements ManagementSerializable {

    public static ConnectionFigures of(ConnectionRegistry.Details d) {
        Map<String, String> props = new LinkedHashMap<>();
        d.clientProperties().forEach((k, v) -> {
            if (v instanceof String || v instanceof Number || v instanceof Boolean) props.put(k, String.valueOf(v));
            else if (v instanceof byte[] b) props.put(k, new String(b, java.nio.charset.StandardCharsets.UTF_8));
        });
        return new ConnectionFigures(d.id(), d.name(), d.user(), d.vhost(), d.peer(), d.connectedAt(), props,
                d.channels(), d.frameMax(), d.channelMax(), d.heartbeat());
    }
}
