package io.warren.core.queue;

import io.warren.amqp.BasicProperties;
import io.warren.core.FieldTableValues;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headers RabbitMQ 3.13 writes on a dead-lettered AMQP 0-9-1 message, and its cycle rule.
 *
 * <p>x-death is an array of tables, most recent death first, one table per (queue, reason): count (long),
 * reason, queue, time (timestamp, seconds), exchange and routing-keys (array) of the message as it was when it
 * first died there, and original-expiration when it carried a per-message TTL. Dying again in the same queue
 * for the same reason increments that table's count and moves it to the front. x-first-death-reason/-queue/
 * -exchange are set once; x-last-death-* on every death. The expiration property is removed so the dead
 * letter does not expire again by the same TTL.
 *
 * <p>Value types follow the RabbitMQ Java client's convention: String (longstr), Long (long), Date (timestamp),
 * List (array), Map (table).
 */
final class DeathHeaders {
    private DeathHeaders() {}

    static final String X_DEATH = "x-death";

    /**
     * {@code message} after dying in {@code queue} for {@code reason} at {@code now} (epoch ms), re-addressed
     * to {@code dlx} with {@code dlRoutingKey} (null: keep its routing key) under the new id {@code newId}.
     */
    static Message recordDeath(Message message, DeathReason reason, String queue, long now, String dlx,
                               String dlRoutingKey, String newId) {
        BasicProperties props = message.properties();
        Map<String, Object> headers = props.headers() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(props.headers());
        List<Object> deaths = new ArrayList<>();
        Map<String, Object> updated = null;
        if (headers.get(X_DEATH) instanceof List<?> old) {
            for (Object o : old) {
                if (updated == null && o instanceof Map<?, ?> t && queue.equals(FieldTableValues.string(t.get("queue")))
                        && reason.wireName().equals(FieldTableValues.string(t.get("reason")))) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) t);
                    Object count = copy.get("count");
                    copy.put("count", (FieldTableValues.isInteger(count) ? FieldTableValues.longValue(count) : 0L) + 1L);
                    updated = copy;
                } else {
                    deaths.add(o);
                }
            }
        }
        if (updated == null) {
            updated = new LinkedHashMap<>();
            updated.put("count", 1L);
            updated.put("reason", reason.wireName());
            updated.put("queue", queue);
            updated.put("time", new Date(now / 1000 * 1000));
            updated.put("exchange", message.exchange());
            List<Object> routingKeys = new ArrayList<>();
            routingKeys.add(message.routingKey());
            if (headers.get("CC") instanceof List<?> cc) {
                for (Object k : cc) routingKeys.add(FieldTableValues.string(k));
            }
            updated.put("routing-keys", routingKeys);
            if (props.expiration() != null) {
                updated.put("original-expiration", props.expiration());
            }
        }
        deaths.add(0, updated);
        headers.put(X_DEATH, deaths);
        if (!headers.containsKey("x-first-death-reason")) {
            headers.put("x-first-death-reason", reason.wireName());
            headers.put("x-first-death-queue", queue);
            headers.put("x-first-death-exchange", message.exchange());
        }
        if (dlRoutingKey != null) {
            // the dead letter is routed by x-dead-letter-routing-key alone: its CC keys go (RabbitMQ's make_msg);
            // x-death's routing-keys keep them
            headers.remove("CC");
        }
        headers.put("x-last-death-reason", reason.wireName());
        headers.put("x-last-death-queue", queue);
        headers.put("x-last-death-exchange", message.exchange());
        BasicProperties newProps = props.withHeaders(headers).withExpiration(null);
        return new Message(newId, dlx, dlRoutingKey != null ? dlRoutingKey : message.routingKey(), newProps,
                message.body());
    }

    /** A dead letter's routing key and the longstr elements of its CC header (recordDeath removed CC when the
     *  queue has an x-dead-letter-routing-key). */
    static List<String> routingKeys(Message deadLetter) {
        Map<String, Object> headers = deadLetter.properties().headers();
        if (headers == null || !(headers.get("CC") instanceof List<?> cc)) return List.of(deadLetter.routingKey());
        List<String> keys = new ArrayList<>(1 + cc.size());
        keys.add(deadLetter.routingKey());
        // only longstr elements route, as at publish (rabbit_basic:header_routes)
        for (Object k : cc) if (k instanceof String || k instanceof byte[]) keys.add(FieldTableValues.string(k));
        return keys;
    }

    /**
     * RabbitMQ's cycle rule (mc:is_death_cycle): walking x-death from the most recent death, a death in
     * {@code targetQueue} reached before any "rejected" death is a cycle: the dead letter is dropped for that
     * queue. A rejection anywhere more recent breaks the cycle (a consumer is in the loop).
     */
    static boolean isCycle(Message message, String targetQueue) {
        Map<String, Object> headers = message.encodedProperties().headers();
        if (headers == null || !(headers.get(X_DEATH) instanceof List<?> deaths)) return false;
        for (Object o : deaths) {
            if (!(o instanceof Map<?, ?> t)) continue;
            if (DeathReason.REJECTED.wireName().equals(FieldTableValues.string(t.get("reason")))) return false;
            if (targetQueue.equals(FieldTableValues.string(t.get("queue")))) return true;
        }
        return false;
    }
}
