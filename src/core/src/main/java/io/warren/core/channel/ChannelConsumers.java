package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The consumers of one channel by tag: server-generated tags, the 530 for a tag in use, the x-priority argument.
 * Each consumer keeps the per-consumer prefetch it was created with (basic.qos global=false applies to consumers
 * created after it).
 */
public final class ChannelConsumers {

    /** One basic.consume of this channel. */
    public record Consumer(String tag, String queue, boolean noAck, int ownLimit, boolean exclusive, int priority) {}

    private final Map<String, Consumer> byTag = new HashMap<>();

    /** The tag a basic.consume gets: the client's, or {@code amq.ctag-...}; 530 NOT_ALLOWED when it is in use. */
    public String tagFor(String requested) {
        String tag = requested.isEmpty() ? "amq.ctag-" + UUID.randomUUID().toString().replace("-", "").substring(0, 22) : requested;
        if (byTag.containsKey(tag)) {
            throw AmqpException.connection(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED,
                    "attempt to reuse consumer tag '" + tag + "'"));
        }
        return tag;
    }

    /** basic.consume's x-priority (0 without it); 406 when it is not an integer. */
    public static int priority(Map<String, Object> arguments) {
        Object p = arguments == null ? null : arguments.get("x-priority");
        if (p == null) return 0;
        if (p instanceof Number n) return n.intValue();
        throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED,
                ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, "invalid arg 'x-priority' for consumer: not an integer"));
    }

    public void add(Consumer c) {
        byTag.put(c.tag(), c);
    }

    /** The consumer with this tag, or null (cancelled, or never here). */
    public Consumer get(String tag) {
        return byTag.get(tag);
    }

    /** Removes it; null when there was none. */
    public Consumer remove(String tag) {
        return byTag.remove(tag);
    }

    /** Whether {@code tag} still consumes from {@code queue}. */
    public boolean consumes(String tag, String queue) {
        Consumer c = byTag.get(tag);
        return c != null && c.queue().equals(queue);
    }

    /** The tags of the consumers on {@code queue}. */
    public Set<String> on(String queue) {
        Set<String> tags = new LinkedHashSet<>();
        byTag.forEach((tag, c) -> { if (c.queue().equals(queue)) tags.add(tag); });
        return tags;
    }

    public Iterable<Consumer> all() {
        return byTag.values();
    }

    public void clear() {
        byTag.clear();
    }
}
