package io.warren.broker.queue;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Entity ids of queues: vhost and name, each URL-encoded, joined by '/', so any names round-trip. */
public final class QueueIds {
    public record Name(String vhost, String queue) {}

    private QueueIds() {}

    public static String of(String vhost, String queue) {
        return URLEncoder.encode(vhost, StandardCharsets.UTF_8) + "/" + URLEncoder.encode(queue, StandardCharsets.UTF_8);
    }

    public static Name parse(String entityId) {
        int slash = entityId.indexOf('/');
        return new Name(URLDecoder.decode(entityId.substring(0, slash), StandardCharsets.UTF_8),
                URLDecoder.decode(entityId.substring(slash + 1), StandardCharsets.UTF_8));
    }
}
