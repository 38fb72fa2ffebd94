package io.warren.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.warren.amqp.BasicProperties;
import io.warren.broker.BrokerContext;
import io.warren.broker.auth.UserDirectory;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueReply;
import io.warren.core.access.Action;
import io.warren.core.access.ResourceKind;
import io.warren.core.names.Names;
import io.warren.core.queue.Message;
import io.warren.core.routing.ExchangeDefinition;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.util.ByteString;

/**
 * RabbitMQ's test-and-debug message endpoints: {@code POST /api/exchanges/{vhost}/{name}/publish} (answers
 * {@code {"routed": bool}} once every queue it routed to has taken the message) and
 * {@code POST /api/queues/{vhost}/{name}/get} (count, ackmode {@code ack_requeue_true|ack_requeue_false|
 * reject_requeue_true|reject_requeue_false}, encoding {@code auto|base64}, truncate). Permissions as for AMQP.
 */
final class MessageEndpoints {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Set<String> PUBLISH_FIELDS = Set.of("vhost", "name", "exchange", "properties", "routing_key", "payload", "payload_encoding");
    private static final Set<String> GET_FIELDS = Set.of("vhost", "name", "queue", "count", "ackmode", "encoding", "truncate", "requeue", "payload_file");
    private static final AtomicLong SEQ = new AtomicLong();

    private final BrokerContext broker;
    /** Stands in for a connection in the queue's bookkeeping of basic.get deliveries; receives nothing useful. */
    private final ActorRef<ConnectionProtocol> getter;
    private final String node = UUID.randomUUID().toString().substring(0, 8);

    MessageEndpoints(ActorSystem<?> system, BrokerContext broker) {
        this.broker = broker;
        this.getter = system.systemActorOf(Behaviors.ignore(), "management-get", Props.empty());
    }

    CompletionStage<HttpResponse> publish(UserDirectory.User user, String vhost, String exchange, byte[] body) {
        JsonBody b = JsonBody.parse(body, PUBLISH_FIELDS);
        String key = b.string("routing_key").orElse("");
        String encoding = b.string("payload_encoding").orElse("string");
        String payload = b.string("payload").orElse("");
        byte[] bytes = switch (encoding) {
            case "string" -> payload.getBytes(StandardCharsets.UTF_8);
            case "base64" -> {
                try {
                    yield Base64.getDecoder().decode(payload);
                } catch (IllegalArgumentException e) {
                    throw ApiRequestException.badRequest("payload is not base64");
                }
            }
            default -> throw ApiRequestException.badRequest("payload_encoding must be string or base64");
        };
        BasicProperties props = properties(b.has("properties") ? b.node().get("properties") : null);
        String name = exchange.equals("amq.default") ? "" : exchange;
        try {
            broker.users().check(user.name(), vhost, ResourceKind.EXCHANGE, name, Action.WRITE);
        } catch (io.warren.amqp.AmqpException e) {
            throw TopologyEndpoints.fromAmqp(e);
        }
        var table = broker.topology().table(vhost);
        ExchangeDefinition def = table.exchange(name).orElseThrow(ApiRequestException::notFound);
        if (def.internal()) throw TopologyEndpoints.fromAmqp(Names.internalExchangePublish(name, vhost));
        Set<String> queues = table.route(name, List.of(key), props.headers());
        Message m = new Message("mgmt-" + node + "-" + SEQ.incrementAndGet(), name, key, props, ByteString.fromArray(bytes));
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (String q : queues) {
            CompletionStage<ConnectionProtocol.EnqueueSettled> settled = broker.queues().ref(vhost, q)
                    .ask(r -> new QueueCommand.Enqueue(List.of(m), new long[] {1}, r, 0), TIMEOUT);
            all.add(settled.toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(x -> ManagementApi.json(StatusCodes.OK, Map.of("routed", !queues.isEmpty())));
    }

    CompletionStage<HttpResponse> get(UserDirectory.User user, String vhost, String queue, byte[] body) {
        JsonBody b = JsonBody.parse(body, GET_FIELDS);
        int count = Integer.parseInt(b.string("count").orElse("1"));
        String ackmode = b.string("ackmode").orElseGet(() -> b.string("requeue").map(r -> r.equals("true") ? "ack_requeue_true" : "ack_requeue_false").orElse("ack_requeue_true"));
        if (!Set.of("ack_requeue_true", "ack_requeue_false", "reject_requeue_true", "reject_requeue_false").contains(ackmode)) {
            throw ApiRequestException.badRequest("ackmode must be ack_requeue_true, ack_requeue_false, reject_requeue_true or reject_requeue_false");
        }
        String encoding = b.string("encoding").orElse("auto");
        int truncate = b.string("truncate").map(Integer::parseInt).orElse(Integer.MAX_VALUE);
        if (!broker.topology().table(vhost).hasQueue(queue)) throw ApiRequestException.notFound();
        try {
            broker.users().check(user.name(), vhost, ResourceKind.QUEUE, queue, Action.READ);
        } catch (io.warren.amqp.AmqpException e) {
            throw TopologyEndpoints.fromAmqp(e);
        }
        String channelId = "mgmt-get-" + node + "-" + SEQ.incrementAndGet();
        boolean requeue = ackmode.endsWith("true");
        boolean noAck = ackmode.equals("ack_requeue_false");
        List<Map<String, Object>> out = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < count; i++) {
            chain = chain.thenCompose(x -> {
                return broker.queues().get(vhost, queue, channelId, getter, 0, noAck, TopologyEndpoints.OWNER).thenAccept(reply -> {
                    if (reply instanceof QueueReply.Failed f) throw TopologyEndpoints.fromAmqp(f.toException());
                    if (reply instanceof QueueReply.Got got) {
                        if (!noAck) held.add(got.delivery().deliveryId());
                        out.add(view(got.delivery(), encoding, truncate));
                    }
                });
            });
        }
        return chain.thenApply(x -> {
            if (!held.isEmpty()) {
                long[] ids = held.stream().mapToLong(Long::longValue).toArray();
                broker.queues().tell(vhost, queue, new QueueCommand.Settle(channelId,
                        requeue ? new long[0] : ids, requeue ? ids : new long[0], new long[0]));
            }
            return ManagementApi.json(StatusCodes.OK, out);
        });
    }

    private static Map<String, Object> view(QueueDelivery d, String encoding, int truncate) {
        Message msg = d.message();
        byte[] body = msg.body().toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("payload_bytes", body.length);
        m.put("redelivered", d.redelivered());
        m.put("exchange", msg.exchange());
        m.put("routing_key", msg.routingKey());
        m.put("message_count", d.messageCount());
        m.put("properties", propertiesView(msg.properties()));
        byte[] shown = body.length > truncate ? java.util.Arrays.copyOf(body, truncate) : body;
        String text = encoding.equals("base64") ? null : utf8(shown);
        if (text != null) {
            m.put("payload", text);
            m.put("payload_encoding", "string");
        } else {
            m.put("payload", Base64.getEncoder().encodeToString(shown));
            m.put("payload_encoding", "base64");
        }
        return m;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Map<String, Object> propertiesView(BasicProperties p) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (p.contentType() != null) m.put("content_type", p.contentType());
        if (p.contentEncoding() != null) m.put("content_encoding", p.contentEncoding());
        if (p.headers() != null) m.put("headers", ApiViews.table(p.headers()));
        if (p.deliveryMode() != null) m.put("delivery_mode", p.deliveryMode());
        if (p.priority() != null) m.put("priority", p.priority());
        if (p.correlationId() != null) m.put("correlation_id", p.correlationId());
        if (p.replyTo() != null) m.put("reply_to", p.replyTo());
        if (p.expiration() != null) m.put("expiration", p.expiration());
        if (p.messageId() != null) m.put("message_id", p.messageId());
        if (p.timestamp() != null) m.put("timestamp", p.timestamp());
        if (p.type() != null) m.put("type", p.type());
        if (p.userId() != null) m.put("user_id", p.userId());
        if (p.appId() != null) m.put("app_id", p.appId());
        return m;
    }

    private static BasicProperties properties(JsonNode p) {
        if (p == null || p.isNull() || (p.isTextual() && p.asText().isBlank())) return BasicProperties.EMPTY;
        if (!p.isObject()) throw ApiRequestException.badRequest("field 'properties' must be a JSON object");
        Set<String> known = Set.of("content_type", "content_encoding", "headers", "delivery_mode", "priority", "correlation_id",
                "reply_to", "expiration", "message_id", "timestamp", "type", "user_id", "app_id");
        p.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) throw ApiRequestException.badRequest("unknown property '" + f + "'");
        });
        Map<String, Object> headers = null;
        if (p.has("headers") && p.get("headers").isObject()) {
            headers = new LinkedHashMap<>();
            for (var it = p.get("headers").fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                headers.put(e.getKey(), v.isIntegralNumber() ? (Object) v.asLong() : v.isBoolean() ? (Object) v.asBoolean() : v.asText());
            }
        }
        return new BasicProperties(text(p, "content_type"), text(p, "content_encoding"), headers,
                p.has("delivery_mode") ? p.get("delivery_mode").asInt() : null,
                p.has("priority") ? p.get("priority").asInt() : null,
                text(p, "correlation_id"), text(p, "reply_to"), text(p, "expiration"), text(p, "message_id"),
                p.has("timestamp") ? p.get("timestamp").asLong() : null,
                text(p, "type"), text(p, "user_id"), text(p, "app_id"), null);
    }

    private static String text(JsonNode p, String f) {
        return p.has(f) && !p.get(f).isNull() ? p.get(f).asText() : null;
    }
}
