package io.warren.core.channel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which incarnation of each queue a channel uses ({@code R} is the broker's reference to a queue actor), as the queues
 * tell it: when an incarnation stops, the queues it served are lost to the channel (the core re-attaches consumers and
 * re-sends publishes). A newer incarnation can speak before the old one's death is known (a publish reaches the new
 * one first): then the queue is lost at once, as if the death had arrived.
 */
public final class QueueIncarnations<R> {
    private final Map<String, R> serving = new HashMap<>();

    /**
     * {@code incarnation} now serves {@code queue}; true when it replaces another one (the queue was lost meanwhile and
     * the channel must treat it so).
     */
    public boolean heard(String queue, R incarnation) {
        R previous = serving.put(queue, incarnation);
        return previous != null && !previous.equals(incarnation);
    }

    /** {@code incarnation} stopped: the queues it served, now forgotten. */
    public List<String> stopped(R incarnation) {
        List<String> gone = new ArrayList<>();
        serving.forEach((q, r) -> { if (r.equals(incarnation)) gone.add(q); });
        for (String q : gone) serving.remove(q);
        return gone;
    }

    /** The channel closes: it follows no queue any more. */
    public void clear() {
        serving.clear();
    }
}
