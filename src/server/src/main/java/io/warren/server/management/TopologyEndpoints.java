package io.warren.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.warren.amqp.AmqpException;
import io.warren.broker.BrokerContext;
import io.warren.broker.auth.UserDirectory;
import io.warren.broker.protocol.QueueReply;
import io.warren.core.access.Action;
import io.warren.core.access.ResourceKind;
import io.warren.core.names.Names;
import io.warren.core.queue.QueueArguments;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import io.warren.core.routing.RoutingTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;

/**
 * Writes to queues, exchanges and bindings over HTTP, in RabbitMQ's shapes: PUT/DELETE {@code /api/queues/{vhost}/{name}},
 * DELETE {@code .../contents} (purge), PUT/DELETE {@code /api/exchanges/{vhost}/{name}}, POST
 * {@code /api/bindings/{vhost}/e/{source}/q|e/{destination}} and DELETE {@code .../{properties_key}}. Each checks the
 * user's permissions as AMQP does; a refusal is RabbitMQ's 401 with the AMQP text.
 */
final class TopologyEndpoints {
    static final String OWNER = "management-api";
    private static final Set<String> QUEUE_FIELDS = Set.of("name", "vhost", "durable", "auto_delete", "arguments", "node", "type", "queue_type");
    private static final Set<String> EXCHANGE_FIELDS = Set.of("name", "vhost", "type", "durable", "auto_delete", "internal", "arguments");
    private static final Set<String> BINDING_FIELDS = Set.of("vhost", "source", "destination", "destination_type", "routing_key", "arguments");

    private final BrokerContext broker;

    TopologyEndpoints(BrokerContext broker) {
        this.broker = broker;
    }

    // ---------------------------------------------------------------- queues

    CompletionStage<HttpResponse> putQueue(UserDirectory.User user, String vhost, String name, byte[] body) {
        JsonBody b = JsonBody.parse(body, QUEUE_FIELDS);
        boolean durable = bool(b, "durable", true);
        boolean autoDelete = bool(b, "auto_delete", false);
        Map<String, Object> args = arguments(b);
        b.string("type").ifPresent(t -> {
            if (!t.equals("classic")) args.putIfAbsent("x-queue-type", t);
        });
        return amqp(() -> {
            permit(user, vhost, ResourceKind.QUEUE, name, Action.CONFIGURE);
            if (name.isEmpty() || Names.isReserved(name)) throw Names.reservedQueueName(name);
            QueueDefinition def = new QueueDefinition(vhost, name, durable, false, autoDelete, args);
            QueueArguments.parse(def);
            boolean existed = broker.topology().table(vhost).hasQueue(name);
            return broker.queues().declare(vhost, name, def, OWNER, false).thenCompose(reply -> {
                if (reply instanceof QueueReply.Failed f) throw f.toException();
                return broker.topology().table(vhost).hasQueue(name) ? CompletableFuture.completedFuture(0L)
                        : broker.topology().declareQueue(vhost, name, durable);
            }).thenApply(v -> status(existed ? 204 : 201));
        });
    }

    CompletionStage<HttpResponse> deleteQueue(UserDirectory.User user, String vhost, String name, boolean ifUnused, boolean ifEmpty) {
        return amqp(() -> {
            if (!broker.topology().table(vhost).hasQueue(name)) throw ApiRequestException.notFound();
            permit(user, vhost, ResourceKind.QUEUE, name, Action.CONFIGURE);
            return broker.queues().delete(vhost, name, ifUnused, ifEmpty, OWNER).thenCompose(reply -> {
                if (reply instanceof QueueReply.Failed f) throw f.toException();
                return broker.topology().deleteQueue(vhost, name);
            }).thenApply(v -> status(204));
        });
    }

    CompletionStage<HttpResponse> purgeQueue(UserDirectory.User user, String vhost, String name) {
        return amqp(() -> {
            if (!broker.topology().table(vhost).hasQueue(name)) throw ApiRequestException.notFound();
            permit(user, vhost, ResourceKind.QUEUE, name, Action.READ);
            return broker.queues().purge(vhost, name, OWNER).thenApply(reply -> {
                if (reply instanceof QueueReply.Failed f) throw f.toException();
                return status(204);
            });
        });
    }

    // ---------------------------------------------------------------- exchanges

    CompletionStage<HttpResponse> putExchange(UserDirectory.User user, String vhost, String name, byte[] body) {
        JsonBody b = JsonBody.parse(body, EXCHANGE_FIELDS);
        String typeName = b.requiredString("type");
        boolean durable = bool(b, "durable", true);
        boolean autoDelete = bool(b, "auto_delete", false);
        boolean internal = bool(b, "internal", false);
        Map<String, Object> args = arguments(b);
        return amqp(() -> {
            if (name.isEmpty()) throw Names.defaultExchangeForbidden();
            permit(user, vhost, ResourceKind.EXCHANGE, name, Action.CONFIGURE);
            ExchangeType type = ExchangeType.parse(typeName).orElseThrow(() -> ExchangeType.unknownType(typeName));
            ExchangeDefinition.validateArguments(args, name, vhost);
            ExchangeDefinition def = new ExchangeDefinition(name, type, durable, autoDelete, internal, args);
            Optional<ExchangeDefinition> existing = broker.topology().table(vhost).exchange(name);
            if (existing.isPresent()) {
                existing.get().checkEquivalent(def, vhost);
                return CompletableFuture.completedFuture(status(204));
            }
            if (Names.isReserved(name)) throw Names.reservedExchangeName(name);
            return broker.topology().declareExchange(vhost, def).thenApply(v -> status(201));
        });
    }

    CompletionStage<HttpResponse> deleteExchange(UserDirectory.User user, String vhost, String name, boolean ifUnused) {
        return amqp(() -> {
            if (broker.topology().table(vhost).exchange(name).isEmpty()) throw ApiRequestException.notFound();
            if (name.isEmpty()) throw Names.defaultExchangeForbidden();
            if (Names.isReserved(name)) throw Names.systemExchangeDeletion(name, vhost);
            permit(user, vhost, ResourceKind.EXCHANGE, name, Action.CONFIGURE);
            return broker.topology().deleteExchange(vhost, name, ifUnused).thenApply(v -> status(204));
        });
    }

    // ---------------------------------------------------------------- bindings

    /** GET /api/bindings/{vhost}/e/{source}/q|e/{destination}: the bindings between the two. */
    List<Map<String, Object>> bindingsBetween(String vhost, String source, Destination destination) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Binding b : broker.topology().table(vhost).allBindings()) {
            if (b.source().equals(source) && b.destination().equals(destination)) out.add(ApiViews.binding(vhost, b));
        }
        return out;
    }

    CompletionStage<HttpResponse> postBinding(UserDirectory.User user, String vhost, String source, Destination destination,
                                              byte[] body, String uriPrefix) {
        JsonBody b = JsonBody.parse(body, BINDING_FIELDS);
        String key = b.string("routing_key").orElse("");
        Map<String, Object> args = arguments(b);
        return amqp(() -> {
            permit(user, vhost, destination.isQueue() ? ResourceKind.QUEUE : ResourceKind.EXCHANGE, destination.name(), Action.WRITE);
            permit(user, vhost, ResourceKind.EXCHANGE, source, Action.READ);
            if (source.isEmpty() || (!destination.isQueue() && destination.name().isEmpty())) throw Names.defaultExchangeForbidden();
            Binding binding = new Binding(source, destination, key, args);
            return broker.topology().bind(vhost, binding).thenApply(v -> {
                String propertiesKey = (String) ApiViews.binding(vhost, binding).get("properties_key");
                return status(201).addHeader(Location.create(uriPrefix + "/" + encode(propertiesKey)));
            });
        });
    }

    CompletionStage<HttpResponse> deleteBinding(UserDirectory.User user, String vhost, String source, Destination destination,
                                                String propertiesKey) {
        return amqp(() -> {
            Binding found = null;
            for (Binding b : broker.topology().table(vhost).allBindings()) {
                if (b.source().equals(source) && b.destination().equals(destination)
                        && ApiViews.binding(vhost, b).get("properties_key").equals(propertiesKey)) {
                    found = b;
                }
            }
            if (found == null) throw ApiRequestException.notFound();
            permit(user, vhost, destination.isQueue() ? ResourceKind.QUEUE : ResourceKind.EXCHANGE, destination.name(), Action.WRITE);
            permit(user, vhost, ResourceKind.EXCHANGE, source, Action.READ);
            return broker.topology().unbind(vhost, found).thenApply(v -> status(204));
        });
    }

    // ---------------------------------------------------------------- helpers

    private void permit(UserDirectory.User user, String vhost, ResourceKind kind, String name, Action action) {
        try {
            broker.users().check(user.name(), vhost, kind, name, action);
        } catch (AmqpException e) {
            throw new ApiRequestException(StatusCodes.UNAUTHORIZED, "not_authorized", e.replyText());
        }
    }

    /** Runs an AMQP-level operation; its AMQP errors become 400s (404 for NOT_FOUND) with the AMQP text as reason. */
    private static CompletionStage<HttpResponse> amqp(java.util.function.Supplier<CompletionStage<HttpResponse>> work) {
        CompletionStage<HttpResponse> stage;
        try {
            stage = work.get();
        } catch (AmqpException e) {
            throw fromAmqp(e);
        }
        return stage.handle((r, error) -> {
            if (error == null) return r;
            Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            if (t instanceof AmqpException e) throw fromAmqp(e);
            if (t instanceof RuntimeException re) throw re;
            throw new IllegalStateException(t);
        });
    }

    static ApiRequestException fromAmqp(AmqpException e) {
        if (e.replyCode() == 404) return new ApiRequestException(StatusCodes.NOT_FOUND, "not_found", e.replyText());
        if (e.replyCode() == 403) return new ApiRequestException(StatusCodes.UNAUTHORIZED, "not_authorized", e.replyText());
        return ApiRequestException.badRequest(e.replyText());
    }

    static HttpResponse status(int code) {
        return HttpResponse.create().withStatus(code);
    }

    private static boolean bool(JsonBody b, String field, boolean otherwise) {
        Optional<String> v = b.string(field);
        if (v.isEmpty()) return otherwise;
        return switch (v.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiRequestException.badRequest("field '" + field + "' must be true or false");
        };
    }

    /** JSON arguments as AMQP field-table values: integers as longs (signed 64-bit, as RabbitMQ's JSON decoding). */
    static Map<String, Object> arguments(JsonBody b) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!b.has("arguments")) return out;
        JsonNode args = b.node().get("arguments");
        if (args.isTextual() && args.asText().isBlank()) return out;
        if (!args.isObject()) throw ApiRequestException.badRequest("field 'arguments' must be a JSON object");
        args.fields().forEachRemaining(e -> out.put(e.getKey(), jsonValue(e.getValue())));
        return out;
    }

    /** A JSON value as arguments and policy definitions hold it: integers as Long, objects as ordered maps. */
    static Object jsonValue(JsonNode v) {
        if (v.isIntegralNumber()) return v.asLong();
        if (v.isNumber()) return v.asDouble();
        if (v.isBoolean()) return v.asBoolean();
        if (v.isTextual()) return v.asText();
        if (v.isNull()) return null;
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(x -> l.add(jsonValue(x)));
            return l;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> m.put(e.getKey(), jsonValue(e.getValue())));
        return m;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
