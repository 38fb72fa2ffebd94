package io.warren.core.channel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Credit from queue to socket, as RabbitMQ's credit flow: a queue sends each consumer at most a window of deliveries
 * the channel has not yet let go of. The channel counts, per queue and consumer, the deliveries it wrote into the
 * outgoing bytes (or dropped: held ones a recover sent back); once the socket has taken a write, that count goes
 * back to the queues as credit. So a consumer with no prefetch limit drains a backlog at the socket's pace instead of
 * the queue pushing it all into the node's memory.
 */
public final class SocketCredit {

    /** Credit for {@code count} deliveries of one consumer of one queue. */
    public record Credit(String queue, String consumerTag, int count) {}

    private final Map<String, Map<String, int[]>> counts = new HashMap<>();

    /** A delivery of this consumer left the channel's hands. */
    public void released(String queue, String consumerTag) {
        counts.computeIfAbsent(queue, k -> new HashMap<>()).computeIfAbsent(consumerTag, k -> new int[1])[0]++;
    }

    /** Hands over (and forgets) what was counted since the last call. */
    public List<Credit> take() {
        if (counts.isEmpty()) return List.of();
        List<Credit> out = new ArrayList<>();
        counts.forEach((queue, tags) -> tags.forEach((tag, n) -> out.add(new Credit(queue, tag, n[0]))));
        counts.clear();
        return out;
    }

    public void clear() {
        counts.clear();
    }
}
