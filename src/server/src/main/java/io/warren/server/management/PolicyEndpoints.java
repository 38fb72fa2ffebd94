package io.warren.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.warren.broker.BrokerContext;
import io.warren.broker.auth.UserDirectory;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.policy.ApplyTo;
import io.warren.core.policy.EffectivePolicy;
import io.warren.core.policy.Policy;
import io.warren.core.policy.PolicyException;
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
 * Policies and operator policies over HTTP in RabbitMQ's shapes: {@code /api/policies}, {@code /api/policies/{vhost}},
 * {@code /api/policies/{vhost}/{name}} (GET, PUT, DELETE) and the same under {@code /api/operator-policies}. As
 * RabbitMQ: policies need the policymaker tag (administrator implies it) and, for a policymaker, access to the vhost;
 * operator policies need administrator. A definition RabbitMQ would refuse is a 400 with its reason.
 */
final class PolicyEndpoints {
    private static final Set<String> FIELDS = Set.of("vhost", "name", "component", "pattern", "definition", "priority", "apply-to");

    private final BrokerContext broker;

    PolicyEndpoints(BrokerContext broker) {
        this.broker = broker;
    }

    static boolean handles(String resource) {
        return resource.equals("policies") || resource.equals("operator-policies");
    }

    /** Why the user may not use this endpoint (RabbitMQ's 401 reason), or empty. */
    static Optional<String> refusal(UserDirectory.User user, List<String> args) {
        boolean admin = user.tags().contains("administrator");
        if (args.get(0).equals("operator-policies")) return admin ? Optional.empty() : Optional.of("Not administrator user");
        boolean policymaker = admin || user.tags().contains("policymaker");
        boolean vhostOk = args.size() < 2 || admin || user.vhosts().contains(args.get(1));
        return policymaker && vhostOk ? Optional.empty() : Optional.of("User not authorised to access object");
    }

    CompletionStage<HttpResponse> handle(HttpMethod method, List<String> args, byte[] body, UserDirectory.User user) {
        boolean operator = args.get(0).equals("operator-policies");
        AccessState s = broker.users().state();
        if (args.size() <= 2) {
            requireRead(method);
            if (args.size() == 2 && !s.vhosts().contains(args.get(1))) throw ApiRequestException.notFound();
            List<Map<String, Object>> out = new ArrayList<>();
            for (String vhost : s.vhosts()) {
                if (args.size() == 2 && !vhost.equals(args.get(1))) continue;
                if (!operator && !user.tags().contains("administrator") && !user.vhosts().contains(vhost)) continue;
                s.policiesOf(vhost, operator).values().forEach(p -> out.add(view(p)));
            }
            return ok(out);
        }
        if (args.size() != 3) throw ApiRequestException.notFound();
        String vhost = args.get(1);
        String name = args.get(2);
        Policy existing = s.policiesOf(vhost, operator).get(name);
        if (method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD)) {
            if (existing == null) throw ApiRequestException.notFound();
            return ok(view(existing));
        }
        if (method.equals(HttpMethods.DELETE)) {
            if (existing == null) throw ApiRequestException.notFound();
            return apply(new AccessChange.DeletePolicy(vhost, name, operator), false);
        }
        if (method.equals(HttpMethods.PUT)) {
            if (!s.vhosts().contains(vhost)) throw ApiRequestException.notFound();
            return apply(new AccessChange.PutPolicy(parse(vhost, name, JsonBody.parse(body, FIELDS), operator), operator),
                    existing == null);
        }
        throw AccessEndpoints.methodNotAllowed();
    }

    /** A policy from a request body (also a definitions file's entry); 400 with RabbitMQ's reason when invalid. */
    static Policy parse(String vhost, String name, JsonBody b, boolean operator) {
        JsonNode n = b.node();
        try {
            if (!n.has("pattern") || !n.get("pattern").isTextual()) {
                throw new PolicyException("Key \"pattern\" not found in " + name);
            }
            if (!n.has("definition") || !n.get("definition").isObject()) {
                throw ApiRequestException.badRequest(n.has("definition")
                        ? "Validation failed\n\ndefinition must be a dictionary: " + n.get("definition") + "\n"
                        : "Validation failed\n\nKey \"definition\" not found in " + name + "\n");
            }
            int priority = 0;
            if (n.has("priority") && !n.get("priority").isNull()) {
                JsonNode p = n.get("priority");
                if (p.isIntegralNumber()) priority = p.asInt();
                else if (p.isTextual() && p.asText().matches("-?[0-9]+")) priority = Integer.parseInt(p.asText());
                else throw new PolicyException("priority should be a number, actually was " + p);
            }
            ApplyTo applyTo = n.has("apply-to") && !n.get("apply-to").isNull()
                    ? ApplyTo.fromWireName(n.get("apply-to").asText()) : ApplyTo.ALL;
            return Policy.of(vhost, name, n.get("pattern").asText(), applyTo, priority,
                    definition(n.get("definition")), operator);
        } catch (PolicyException e) {
            throw ApiRequestException.badRequest(e.getMessage());
        }
    }

    /** JSON values as the policy rules take them: as queue and exchange arguments (integers as Long, order kept). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> definition(JsonNode object) {
        return (Map<String, Object>) TopologyEndpoints.jsonValue(object);
    }

    /** RabbitMQ's policy, operator_policy and effective_policy_definition of a queue in /api/queues. */
    static void addQueuePolicy(Map<String, Object> queue, AccessState s) {
        io.warren.core.queue.QueueType type = io.warren.core.queue.QueueType.fromWireName(String.valueOf(queue.get("type")));
        EffectivePolicy e = s.queuePolicy((String) queue.get("vhost"), (String) queue.get("name"),
                type == null ? io.warren.core.queue.QueueType.CLASSIC : type);
        queue.put("policy", e.policyName());
        queue.put("operator_policy", e.operatorPolicyName());
        queue.put("effective_policy_definition", e.definition());
    }

    /** The policy of an exchange in /api/exchanges, when one applies. */
    static void addExchangePolicy(Map<String, Object> exchange, AccessState s) {
        EffectivePolicy e = s.exchangePolicy((String) exchange.get("vhost"), (String) exchange.get("name"));
        if (e.policyName() != null) exchange.put("policy", e.policyName());
    }

    static Map<String, Object> view(Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", p.vhost());
        m.put("name", p.name());
        m.put("pattern", p.pattern());
        m.put("apply-to", p.applyTo().wireName());
        m.put("definition", p.definition());
        m.put("priority", p.priority());
        return m;
    }

    private CompletionStage<HttpResponse> apply(AccessChange change, boolean created) {
        return AccessEndpoints.applyChange(broker, change, created);
    }

    private static CompletionStage<HttpResponse> ok(Object body) {
        return AccessEndpoints.ok(body);
    }

    private static void requireRead(HttpMethod method) {
        AccessEndpoints.requireRead(method);
    }
}
