package io.warren.core.access;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.policy.EffectivePolicy;
import io.warren.core.policy.Policy;
import io.warren.core.queue.QueueType;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster's users, vhosts and permissions, immutable: a change makes a new state with the next version. Small
 * (operators' objects, not messages), so it is replicated whole to every node. The AMQP permission rules live here.
 */
public record AccessState(long version, Map<String, UserAccount> users, Set<String> vhosts,
                          Map<String, Map<String, Permission>> permissions,
                          Map<String, Map<String, Policy>> policies, Map<String, Map<String, Policy>> operatorPolicies) {

    public AccessState {
        users = Collections.unmodifiableMap(new TreeMap<>(users));
        vhosts = Collections.unmodifiableSet(new TreeSet<>(vhosts));
        TreeMap<String, Map<String, Permission>> p = new TreeMap<>();
        permissions.forEach((vhost, byUser) -> {
            if (!byUser.isEmpty()) p.put(vhost, Collections.unmodifiableMap(new TreeMap<>(byUser)));
        });
        permissions = Collections.unmodifiableMap(p);
        policies = byVhost(policies);
        operatorPolicies = byVhost(operatorPolicies);
    }

    /** A state without policies (as states written before policies existed). */
    public AccessState(long version, Map<String, UserAccount> users, Set<String> vhosts,
                       Map<String, Map<String, Permission>> permissions) {
        this(version, users, vhosts, permissions, Map.of(), Map.of());
    }

    private static Map<String, Map<String, Policy>> byVhost(Map<String, Map<String, Policy>> in) {
        TreeMap<String, Map<String, Policy>> out = new TreeMap<>();
        if (in != null) in.forEach((vhost, byName) -> {
            if (!byName.isEmpty()) out.put(vhost, Collections.unmodifiableMap(new TreeMap<>(byName)));
        });
        return Collections.unmodifiableMap(out);
    }

    /** The policies (or operator policies) of a vhost, by name. */
    public Map<String, Policy> policiesOf(String vhost, boolean operator) {
        return (operator ? operatorPolicies : policies).getOrDefault(vhost, Map.of());
    }

    /** The policy, operator policy and merged definition in force for a queue. */
    public EffectivePolicy queuePolicy(String vhost, String queue, QueueType type) {
        if (policies.isEmpty() && operatorPolicies.isEmpty()) return EffectivePolicy.NONE;
        return EffectivePolicy.forQueue(policiesOf(vhost, false).values(), policiesOf(vhost, true).values(), queue, type);
    }

    /** The policy, operator policy and merged definition in force for an exchange. */
    public EffectivePolicy exchangePolicy(String vhost, String exchange) {
        if (policies.isEmpty() && operatorPolicies.isEmpty()) return EffectivePolicy.NONE;
        return EffectivePolicy.forExchange(policiesOf(vhost, false).values(), policiesOf(vhost, true).values(), exchange);
    }

    public static AccessState empty() {
        return new AccessState(0, Map.of(), Set.of(), Map.of());
    }

    public Optional<UserAccount> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    public Optional<Permission> permission(String user, String vhost) {
        return Optional.ofNullable(permissions.getOrDefault(vhost, Map.of()).get(user));
    }

    /** The vhosts a user may open: those where it has a permission entry, as in RabbitMQ. */
    public Set<String> vhostsOf(String user) {
        Set<String> out = new TreeSet<>();
        permissions.forEach((vhost, byUser) -> {
            if (byUser.containsKey(user)) out.add(vhost);
        });
        return out;
    }

    /**
     * Throws RabbitMQ's channel error 403 when the user may not act on the resource, e.g. "ACCESS_REFUSED - access to
     * queue 'q' in vhost '/' refused for user 'u'" (RabbitMQ 3.10's text names no action, checked against it). The default exchange is checked and named as
     * "amq.default", as RabbitMQ's rabbit_access_control does.
     */
    public void check(String user, String vhost, ResourceKind kind, String name, Action action) {
        String shown = kind == ResourceKind.EXCHANGE && name.isEmpty() ? "amq.default" : name;
        boolean allowed = permission(user, vhost).map(p -> p.allows(action, shown)).orElse(false);
        if (!allowed) {
            throw AmqpException.channel(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED,
                    "access to " + kind.word() + " '" + shown + "' in vhost '" + vhost
                            + "' refused for user '" + user + "'"));
        }
    }

    /** The state after a change; IllegalArgumentException (with a reason fit for an operator) when it cannot apply. */
    public AccessState apply(AccessChange change) {
        Map<String, UserAccount> u = new TreeMap<>(users);
        Set<String> v = new TreeSet<>(vhosts);
        Map<String, Map<String, Permission>> p = new TreeMap<>();
        permissions.forEach((vhost, byUser) -> p.put(vhost, new TreeMap<>(byUser)));
        Map<String, Map<String, Policy>> pol = new TreeMap<>();
        policies.forEach((vhost, byName) -> pol.put(vhost, new TreeMap<>(byName)));
        Map<String, Map<String, Policy>> op = new TreeMap<>();
        operatorPolicies.forEach((vhost, byName) -> op.put(vhost, new TreeMap<>(byName)));
        if (change instanceof AccessChange.PutUser put) {
            requireName("user", put.user().name());
            if (!PasswordHash.isWellFormed(put.user().passwordHash())) {
                throw new IllegalArgumentException("password_hash is not a base64 salted SHA-256 hash");
            }
            u.put(put.user().name(), put.user());
        } else if (change instanceof AccessChange.DeleteUser d) {
            if (u.remove(d.name()) == null) throw new IllegalArgumentException("no user '" + d.name() + "'");
            p.values().forEach(byUser -> byUser.remove(d.name()));
        } else if (change instanceof AccessChange.PutVhost put) {
            requireName("vhost", put.name());
            v.add(put.name());
        } else if (change instanceof AccessChange.DeleteVhost d) {
            if (!v.remove(d.name())) throw new IllegalArgumentException("no vhost '" + d.name() + "'");
            p.remove(d.name());
            pol.remove(d.name());
            op.remove(d.name());
        } else if (change instanceof AccessChange.SetPermission sp) {
            if (!u.containsKey(sp.user())) throw new IllegalArgumentException("no user '" + sp.user() + "'");
            if (!v.contains(sp.vhost())) throw new IllegalArgumentException("no vhost '" + sp.vhost() + "'");
            p.computeIfAbsent(sp.vhost(), k -> new TreeMap<>()).put(sp.user(), sp.permission());
        } else if (change instanceof AccessChange.ClearPermission c) {
            Map<String, Permission> byUser = p.get(c.vhost());
            if (byUser == null || byUser.remove(c.user()) == null) {
                throw new IllegalArgumentException("no permissions for user '" + c.user() + "' in vhost '" + c.vhost() + "'");
            }
        } else if (change instanceof AccessChange.PutPolicy put) {
            if (!v.contains(put.policy().vhost())) throw new IllegalArgumentException("no vhost '" + put.policy().vhost() + "'");
            (put.operator() ? op : pol).computeIfAbsent(put.policy().vhost(), k -> new TreeMap<>())
                    .put(put.policy().name(), put.policy());
        } else if (change instanceof AccessChange.DeletePolicy d) {
            Map<String, Policy> byName = (d.operator() ? op : pol).get(d.vhost());
            if (byName == null || byName.remove(d.name()) == null) {
                throw new IllegalArgumentException("no " + (d.operator() ? "operator policy" : "policy") + " '" + d.name()
                        + "' in vhost '" + d.vhost() + "'");
            }
        }
        return new AccessState(version + 1, u, v, p, pol, op);
    }

    private static void requireName(String what, String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException(what + " name must not be empty");
        if (name.length() > 255) throw new IllegalArgumentException(what + " name is longer than 255 characters");
    }
}
