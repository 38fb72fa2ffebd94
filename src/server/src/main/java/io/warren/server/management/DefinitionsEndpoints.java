package io.warren.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warren.broker.BrokerContext;
import io.warren.broker.auth.UserDirectory;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.access.PasswordHash;
import io.warren.core.access.Permission;
import io.warren.core.access.UserAccount;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.RoutingTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * {@code GET /api/definitions} and {@code POST /api/definitions} in RabbitMQ's format: users (with their password
 * hashes), vhosts, permissions, and the durable exchanges, queues and bindings. An import applies each part in
 * RabbitMQ's order (users, vhosts, permissions, exchanges, queues, bindings) through the same paths as the API's
 * single writes. Administrators only.
 */
final class DefinitionsEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of("rabbit_version", "rabbitmq_version", "product_name", "product_version",
            "users", "vhosts", "permissions", "topic_permissions", "parameters", "global_parameters", "policies",
            "queues", "exchanges", "bindings");

    private final BrokerContext broker;
    private final TopologyEndpoints topology;
    private final String version;
    DefinitionsEndpoints(BrokerContext broker, TopologyEndpoints topology, String version) {
        this.broker = broker;
        this.topology = topology;
        this.version = version;
    }

    /**
     * @param running the figures of the queues running somewhere (vhost + "\0" + name): a queue not running is a
     *                passivated one, and only durable queues passivate
     */
    HttpResponse export(Map<String, QueueFigures> running) {
        AccessState s = broker.users().state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rabbit_version", version);
        m.put("rabbitmq_version", version);
        m.put("product_name", ManagementApi.PRODUCT_NAME);
        m.put("product_version", version);
        m.put("users", s.users().values().stream().map(u -> {
            Map<String, Object> v = AccessEndpoints.userView(u);
            return v;
        }).toList());
        m.put("vhosts", s.vhosts().stream().map(v -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", v);
            x.put("limits", List.of());
            x.put("metadata", Map.of("description", "", "tags", List.of()));
            return x;
        }).toList());
        List<Map<String, Object>> permissions = new ArrayList<>();
        s.permissions().forEach((vhost, byUser) -> byUser.forEach((user, p) -> permissions.add(AccessEndpoints.permissionView(user, vhost, p))));
        m.put("permissions", permissions);
        m.put("topic_permissions", List.of());
        m.put("parameters", List.of());
        m.put("global_parameters", List.of());
        List<Map<String, Object>> policies = new ArrayList<>();
        s.policies().values().forEach(byName -> byName.values().forEach(p -> policies.add(PolicyEndpoints.view(p))));
        m.put("policies", policies);
        List<Map<String, Object>> queues = new ArrayList<>();
        List<Map<String, Object>> exchanges = new ArrayList<>();
        List<Map<String, Object>> bindings = new ArrayList<>();
        for (String vhost : s.vhosts()) {
            RoutingTable table = broker.topology().table(vhost);
            for (String q : new TreeSet<>(table.queues())) {
                QueueFigures f = running.get(vhost + "\0" + q);
                if (f != null && (!f.durable() || f.exclusive())) continue;
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("name", q);
                x.put("vhost", vhost);
                x.put("durable", true);
                x.put("auto_delete", f != null && f.autoDelete());
                x.put("arguments", f == null ? Map.of() : f.arguments()); // the caller wakes passivated queues first
                queues.add(x);
            }
            List<ExchangeDefinition> defs = new ArrayList<>(table.exchanges());
            defs.sort(Comparator.comparing(ExchangeDefinition::name));
            for (ExchangeDefinition e : defs) {
                if (e.name().isEmpty() || e.name().startsWith("amq.") || !e.durable()) continue;
                Map<String, Object> x = ApiViews.exchange(vhost, e);
                x.remove("user_who_performed_action");
                exchanges.add(x);
            }
            List<Binding> all = new ArrayList<>(table.allBindings());
            all.sort(Comparator.comparing(Binding::source).thenComparing(b -> b.destination().name()).thenComparing(Binding::routingKey));
            for (Binding b : all) {
                boolean durableSource = table.exchange(b.source()).map(ExchangeDefinition::durable).orElse(false);
                QueueFigures f = b.destination().isQueue() ? running.get(vhost + "\0" + b.destination().name()) : null;
                boolean durableDestination = b.destination().isQueue() ? (f == null || f.durable())
                        : table.exchange(b.destination().name()).map(ExchangeDefinition::durable).orElse(false);
                if (!durableSource || !durableDestination) continue;
                Map<String, Object> x = ApiViews.binding(vhost, b);
                x.remove("properties_key");
                bindings.add(x);
            }
        }
        m.put("queues", queues);
        m.put("exchanges", exchanges);
        m.put("bindings", bindings);
        return ManagementApi.json(StatusCodes.OK, m);
    }

    CompletionStage<HttpResponse> importDefinitions(UserDirectory.User admin, byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw ApiRequestException.badRequest("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw ApiRequestException.badRequest("expected a JSON object");
        root.fieldNames().forEachRemaining(f -> {
            if (!TOP_LEVEL.contains(f)) throw ApiRequestException.badRequest("unknown field '" + f + "'");
        });
        List<AccessChange> access = new ArrayList<>();
        for (JsonNode u : list(root, "users")) {
            JsonBody b = JsonBody.parse(bytes(u), Set.of("name", "password_hash", "hashing_algorithm", "tags", "limits", "password"));
            String algorithm = b.string("hashing_algorithm").orElse(PasswordHash.ALGORITHM);
            if (!algorithm.equals(PasswordHash.ALGORITHM)) {
                throw ApiRequestException.badRequest("user '" + b.requiredString("name") + "': unsupported hashing_algorithm '" + algorithm + "'");
            }
            String hash = b.has("password") ? PasswordHash.hash(b.requiredString("password")) : b.string("password_hash").orElse("");
            access.add(new AccessChange.PutUser(new UserAccount(b.requiredString("name"), hash, b.tags("tags"))));
        }
        for (JsonNode v : list(root, "vhosts")) {
            JsonBody b = JsonBody.parse(bytes(v), Set.of("name", "limits", "metadata", "description", "tags", "default_queue_type"));
            access.add(new AccessChange.PutVhost(b.requiredString("name")));
        }
        for (JsonNode p : list(root, "permissions")) {
            JsonBody b = JsonBody.parse(bytes(p), Set.of("user", "vhost", "configure", "write", "read"));
            try {
                access.add(new AccessChange.SetPermission(b.requiredString("user"), b.requiredString("vhost"),
                        Permission.of(b.requiredString("configure"), b.requiredString("write"), b.requiredString("read"))));
            } catch (IllegalArgumentException e) {
                throw ApiRequestException.badRequest(e.getMessage());
            }
        }
        for (JsonNode p : list(root, "policies")) {
            JsonBody b = JsonBody.parse(bytes(p), Set.of("vhost", "name", "pattern", "apply-to", "definition", "priority"));
            access.add(new AccessChange.PutPolicy(PolicyEndpoints.parse(b.requiredString("vhost"), b.requiredString("name"), b, false), false));
        }
        CompletionStage<?> chain = CompletableFuture.completedFuture(null);
        for (AccessChange c : access) {
            chain = chain.thenCompose(x -> broker.users().change(c).exceptionally(e -> {
                Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                throw ApiRequestException.badRequest(t.getMessage());
            }));
        }
        // exchanges, queues and bindings as the importing administrator, who must have permissions in their vhosts
        for (JsonNode e : list(root, "exchanges")) {
            String vhost = e.path("vhost").asText();
            String name = e.path("name").asText();
            chain = chain.thenCompose(x -> expectOk(topology.putExchange(admin, vhost, name, strip(e, "name", "vhost"))));
        }
        for (JsonNode q : list(root, "queues")) {
            String vhost = q.path("vhost").asText();
            String name = q.path("name").asText();
            chain = chain.thenCompose(x -> expectOk(topology.putQueue(admin, vhost, name, strip(q, "name", "vhost"))));
        }
        for (JsonNode b : list(root, "bindings")) {
            String vhost = b.path("vhost").asText();
            String source = b.path("source").asText();
            String destination = b.path("destination").asText();
            var dest = b.path("destination_type").asText().equals("exchange") ? io.warren.core.routing.Destination.exchange(destination)
                    : io.warren.core.routing.Destination.queue(destination);
            chain = chain.thenCompose(x -> expectOk(topology.postBinding(admin, vhost, source, dest,
                    strip(b, "source", "vhost", "destination", "destination_type"), "")));
        }
        return chain.thenApply(x -> TopologyEndpoints.status(204));
    }

    private static CompletionStage<HttpResponse> expectOk(CompletionStage<HttpResponse> stage) {
        return stage;
    }

    private static Iterable<JsonNode> list(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw ApiRequestException.badRequest("field '" + field + "' must be a list");
        return n;
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The object without the fields the path carries (the single-object endpoints take those from the path). */
    private static byte[] strip(JsonNode n, String... fields) {
        var copy = ((com.fasterxml.jackson.databind.node.ObjectNode) n).deepCopy();
        for (String f : fields) copy.remove(f);
        // RabbitMQ writes booleans as JSON booleans; the single-object endpoints read them as strings too
        return bytes(copy);
    }
}
