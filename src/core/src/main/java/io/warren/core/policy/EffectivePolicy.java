package io.warren.core.policy;

import io.warren.core.FieldTableValues;
import io.warren.core.queue.QueueType;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The policy and operator policy that apply to one queue or exchange, and their merged definition, chosen as
 * RabbitMQ's rabbit_policy does: among the policies of the resource's vhost whose apply-to fits and whose pattern
 * matches the name, the highest priority wins (equal priorities: the name that sorts first, where RabbitMQ's choice is
 * unspecified); the same separately for operator policies. Where both set a key, the lower number wins for the
 * numeric limits ({@link PolicyDefinition#LOWER_WINS}), else the operator policy's value.
 *
 * @param policy         the policy in force, or null
 * @param operatorPolicy the operator policy in force, or null
 * @param definition     the merged definition (RabbitMQ's effective_policy_definition)
 */
public record EffectivePolicy(Policy policy, Policy operatorPolicy, Map<String, Object> definition) {
    public static final EffectivePolicy NONE = new EffectivePolicy(null, null, Map.of());

    public EffectivePolicy {
        definition = Collections.unmodifiableMap(new LinkedHashMap<>(definition));
    }

    public static EffectivePolicy forQueue(Collection<Policy> policies, Collection<Policy> operatorPolicies,
                                           String name, QueueType type) {
        Predicate<Policy> fits = p -> p.applyTo().appliesToQueue(type) && p.matches(name);
        return of(choose(policies, fits), choose(operatorPolicies, fits));
    }

    public static EffectivePolicy forExchange(Collection<Policy> policies, Collection<Policy> operatorPolicies, String name) {
        Predicate<Policy> fits = p -> p.applyTo().appliesToExchanges() && p.matches(name);
        return of(choose(policies, fits), choose(operatorPolicies, fits));
    }

    private static Policy choose(Collection<Policy> candidates, Predicate<Policy> fits) {
        Policy best = null;
        for (Policy p : candidates) {
            if (!fits.test(p)) continue;
            if (best == null || p.priority() > best.priority()
                    || (p.priority() == best.priority() && p.name().compareTo(best.name()) < 0)) {
                best = p;
            }
        }
        return best;
    }

    static EffectivePolicy of(Policy policy, Policy operatorPolicy) {
        if (policy == null && operatorPolicy == null) return NONE;
        Map<String, Object> merged = new LinkedHashMap<>();
        if (policy != null) merged.putAll(policy.definition());
        if (operatorPolicy != null) {
            operatorPolicy.definition().forEach((key, op) -> merged.merge(key, op, (mine, theirs) -> lowerWins(key, mine, theirs)));
        }
        return new EffectivePolicy(policy, operatorPolicy, merged);
    }

    private static Object lowerWins(String key, Object value, Object operatorValue) {
        if (PolicyDefinition.LOWER_WINS.contains(key) && value instanceof Number a && operatorValue instanceof Number b) {
            return Math.min(a.longValue(), b.longValue());
        }
        return operatorValue;
    }

    public String policyName() {
        return policy == null ? null : policy.name();
    }

    public String operatorPolicyName() {
        return operatorPolicy == null ? null : operatorPolicy.name();
    }

    /**
     * The queue arguments a queue of {@code type} acts on: its declared x-arguments with this definition added, as
     * RabbitMQ's queues resolve them (rabbit_amqqueue_process:process_args_policy, rabbit_quorum_queue): where both
     * set a numeric limit (x-message-ttl, x-expires, x-max-length, x-max-length-bytes, x-delivery-limit) the lower
     * wins; for the others (dead-letter exchange and routing key, overflow) the queue's argument wins. Keys the
     * queue type does not take (e.g. delivery-limit on a classic queue) are left out, as RabbitMQ ignores them.
     */
    public Map<String, Object> queueArguments(Map<String, Object> declared, QueueType type) {
        Map<String, Object> out = new LinkedHashMap<>(declared == null ? Map.of() : declared);
        for (Map.Entry<String, Object> e : definition.entrySet()) {
            String arg = "x-" + e.getKey();
            if (!QUEUE_KEYS.contains(e.getKey()) || type.refuses(arg)) continue;
            Object own = out.get(arg);
            if (own == null) {
                out.put(arg, e.getValue());
            } else if (PolicyDefinition.LOWER_WINS.contains(e.getKey()) && FieldTableValues.isInteger(own)
                    && e.getValue() instanceof Number n) {
                out.put(arg, Math.min(FieldTableValues.longValue(own), n.longValue()));
            }
        }
        return out;
    }

    /** The alternate exchange this policy gives an exchange, or null; an exchange's own argument wins over it. */
    public String alternateExchange() {
        return definition.get("alternate-exchange") instanceof String s ? s : null;
    }

    private static final java.util.Set<String> QUEUE_KEYS = java.util.Set.of("message-ttl", "expires", "max-length",
            "max-length-bytes", "overflow", "dead-letter-exchange", "dead-letter-routing-key", "delivery-limit");
}
