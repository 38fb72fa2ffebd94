package io.warren.server.management;

import io.warren.broker.BrokerContext;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.access.PasswordHash;
import io.warren.core.access.Permission;
import io.warren.core.access.UserAccount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Users, vhosts and permissions over HTTP, in RabbitMQ's shapes: {@code /api/users}, {@code /api/users/{name}},
 * {@code /api/users/{name}/permissions}, {@code /api/permissions}, {@code /api/permissions/{vhost}/{user}},
 * {@code /api/vhosts/{name}} (PUT, DELETE) and {@code /api/vhosts/{name}/permissions}. Administrators only, as in
 * RabbitMQ. Writes go to the cluster's access entity and answer once this node's view has them.
 */
final class AccessEndpoints {
    private static final Set<String> USER_FIELDS = Set.of("name", "vhost", "password", "password_hash", "hashing_algorithm", "tags", "limits");
    private static final Set<String> VHOST_FIELDS = Set.of("name", "vhost", "tracing", "description", "tags", "default_queue_type");
    private static final Set<String> PERMISSION_FIELDS = Set.of("vhost", "user", "configure", "write", "read");

    private final BrokerContext broker;
    private final VhostCleaner vhostCleaner;
    private final java.util.function.Consumer<String> vhostDeleted;

    /** @param vhostDeleted runs once a vhost is deleted: closes its open connections on every node */
    AccessEndpoints(BrokerContext broker, VhostCleaner vhostCleaner, java.util.function.Consumer<String> vhostDeleted) {
        this.broker = broker;
        this.vhostCleaner = vhostCleaner;
        this.vhostDeleted = vhostDeleted;
    }

    /** Deletes what lives in a vhost (queues, exchanges) before the vhost itself goes, as RabbitMQ does. */
    interface VhostCleaner {
        CompletionStage<Void> clean(String vhost);
    }

    static boolean handles(String resource, List<String> args, boolean read) {
        return resource.equals("users") || resource.equals("permissions")
                || (resource.equals("vhosts") && (!read || (args.size() == 3 && args.get(2).equals("permissions"))));
    }

    CompletionStage<HttpResponse> handle(HttpMethod method, List<String> args, byte[] body) {
        String resource = args.get(0);
        List<String> rest = args.subList(1, args.size());
        return switch (resource) {
            case "users" -> users(method, rest, body);
            case "permissions" -> permissions(method, rest, body);
            default -> vhosts(method, rest, body);
        };
    }

    private AccessState state() {
        return broker.users().state();
    }

    private CompletionStage<HttpResponse> users(HttpMethod method, List<String> rest, byte[] body) {
        AccessState s = state();
        if (rest.isEmpty()) {
            requireRead(method);
            return ok(s.users().values().stream().map(AccessEndpoints::userView).toList());
        }
        String name = rest.get(0);
        if (rest.size() == 2 && rest.get(1).equals("permissions")) {
            requireRead(method);
            if (s.user(name).isEmpty()) throw ApiRequestException.notFound();
            List<Map<String, Object>> out = new ArrayList<>();
            s.permissions().forEach((vhost, byUser) -> {
                Permission p = byUser.get(name);
                if (p != null) out.add(permissionView(name, vhost, p));
            });
            return ok(out);
        }
        if (rest.size() != 1) throw ApiRequestException.notFound();
        Optional<UserAccount> existing = s.user(name);
        if (method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD)) {
            return ok(userView(existing.orElseThrow(ApiRequestException::notFound)));
        }
        if (method.equals(HttpMethods.DELETE)) {
            if (existing.isEmpty()) throw ApiRequestException.notFound();
            return apply(new AccessChange.DeleteUser(name), false);
        }
        if (method.equals(HttpMethods.PUT)) {
            JsonBody b = JsonBody.parse(body, USER_FIELDS);
            String algorithm = b.string("hashing_algorithm").orElse(PasswordHash.ALGORITHM);
            if (!algorithm.equals(PasswordHash.ALGORITHM)) {
                throw ApiRequestException.badRequest("unsupported hashing_algorithm '" + algorithm + "' (Warren stores "
                        + PasswordHash.ALGORITHM + ")");
            }
            String hash;
            if (b.has("password")) {
                if (b.has("password_hash")) throw ApiRequestException.badRequest("give password or password_hash, not both");
                hash = PasswordHash.hash(b.requiredString("password"));
            } else if (b.has("password_hash")) {
                hash = b.requiredString("password_hash");
            } else {
                // RabbitMQ: a new user without either cannot log in with a password; an update keeps the password
                hash = existing.map(UserAccount::passwordHash).orElse("");
            }
            List<String> tags = b.has("tags") ? b.tags("tags") : existing.map(UserAccount::tags).orElse(List.of());
            return apply(new AccessChange.PutUser(new UserAccount(name, hash, tags)), existing.isEmpty());
        }
        throw methodNotAllowed();
    }

    private CompletionStage<HttpResponse> permissions(HttpMethod method, List<String> rest, byte[] body) {
        AccessState s = state();
        if (rest.isEmpty()) {
            requireRead(method);
            List<Map<String, Object>> out = new ArrayList<>();
            s.permissions().forEach((vhost, byUser) -> byUser.forEach((user, p) -> out.add(permissionView(user, vhost, p))));
            return ok(out);
        }
        if (rest.size() != 2) throw ApiRequestException.notFound();
        String vhost = rest.get(0);
        String user = rest.get(1);
        if (method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD)) {
            return ok(permissionView(user, vhost, s.permission(user, vhost).orElseThrow(ApiRequestException::notFound)));
        }
        if (method.equals(HttpMethods.DELETE)) {
            if (s.permission(user, vhost).isEmpty()) throw ApiRequestException.notFound();
            return apply(new AccessChange.ClearPermission(user, vhost), false);
        }
        if (method.equals(HttpMethods.PUT)) {
            if (!s.vhosts().contains(vhost)) throw ApiRequestException.badRequest("vhost_not_found: " + vhost);
            if (s.user(user).isEmpty()) throw ApiRequestException.badRequest("user_not_found: " + user);
            JsonBody b = JsonBody.parse(body, PERMISSION_FIELDS);
            Permission p;
            try {
                p = Permission.of(b.requiredString("configure"), b.requiredString("write"), b.requiredString("read"));
            } catch (IllegalArgumentException e) {
                throw ApiRequestException.badRequest(e.getMessage());
            }
            return apply(new AccessChange.SetPermission(user, vhost, p), s.permission(user, vhost).isEmpty());
        }
        throw methodNotAllowed();
    }

    private CompletionStage<HttpResponse> vhosts(HttpMethod method, List<String> rest, byte[] body) {
        AccessState s = state();
        if (rest.isEmpty()) throw methodNotAllowed();
        String vhost = rest.get(0);
        if (rest.size() == 2 && rest.get(1).equals("permissions")) {
            requireRead(method);
            if (!s.vhosts().contains(vhost)) throw ApiRequestException.notFound();
            List<Map<String, Object>> out = new ArrayList<>();
            s.permissions().getOrDefault(vhost, Map.of()).forEach((user, p) -> out.add(permissionView(user, vhost, p)));
            return ok(out);
        }
        if (rest.size() != 1) throw ApiRequestException.notFound();
        if (method.equals(HttpMethods.PUT)) {
            JsonBody.parse(body, VHOST_FIELDS);
            if (s.vhosts().contains(vhost)) return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
            return apply(new AccessChange.PutVhost(vhost), true);
        }
        if (method.equals(HttpMethods.DELETE)) {
            if (!s.vhosts().contains(vhost)) throw ApiRequestException.notFound();
            return vhostCleaner.clean(vhost).thenCompose(done -> apply(new AccessChange.DeleteVhost(vhost), false))
                    .thenApply(response -> {
                        vhostDeleted.accept(vhost);
                        return response;
                    });
        }
        throw methodNotAllowed();
    }

    // ---------------------------------------------------------------- views and helpers

    static Map<String, Object> userView(UserAccount u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("password_hash", u.passwordHash());
        m.put("hashing_algorithm", PasswordHash.ALGORITHM);
        m.put("tags", u.tags());
        m.put("limits", Map.of());
        return m;
    }

    static Map<String, Object> permissionView(String user, String vhost, Permission p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("vhost", vhost);
        m.put("configure", p.configure());
        m.put("write", p.write());
        m.put("read", p.read());
        return m;
    }

    private CompletionStage<HttpResponse> apply(AccessChange change, boolean created) {
        return applyChange(broker, change, created);
    }

    /**
     * Writes an access-state change (users, vhosts, permissions, policies): 201 when it created something, else 204;
     * a change the state refuses is 400 with its reason. Completes once this node's view holds it.
     */
    static CompletionStage<HttpResponse> applyChange(BrokerContext broker, AccessChange change, boolean created) {
        return broker.users().change(change).handle((version, error) -> {
            if (error != null) {
                Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                if (t instanceof IllegalArgumentException) throw ApiRequestException.badRequest(t.getMessage());
                throw new IllegalStateException("access change failed: " + t, t);
            }
            return HttpResponse.create().withStatus(created ? StatusCodes.CREATED : StatusCodes.NO_CONTENT);
        });
    }

    static CompletionStage<HttpResponse> ok(Object body) {
        return CompletableFuture.completedFuture(ManagementApi.json(StatusCodes.OK, body));
    }

    static void requireRead(HttpMethod method) {
        if (!method.equals(HttpMethods.GET) && !method.equals(HttpMethods.HEAD)) throw methodNotAllowed();
    }

    static ApiRequestException methodNotAllowed() {
        return new ApiRequestException(StatusCodes.METHOD_NOT_ALLOWED, "Method Not Allowed", "method not allowed on this resource");
    }
}
