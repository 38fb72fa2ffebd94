package io.warren.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.queue.QueueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyRulesTest {

    private static Policy policy(String name, String pattern, ApplyTo to, int priority, Map<String, Object> def) {
        return Policy.of("/", name, pattern, to, priority, def, false);
    }

    private static Policy operator(String name, String pattern, Map<String, Object> def) {
        return Policy.of("/", name, pattern, ApplyTo.QUEUES, 0, def, true);
    }

    private static String reason(Map<String, Object> def, boolean operator) {
        return assertThrows(PolicyException.class, () -> PolicyDefinition.validate(def, operator)).getMessage();
    }

    @Test
    void badValuesGetRabbitMqsTexts() {
        assertEquals("Validation failed\n\n-1 is not a valid message TTL\n", reason(Map.of("message-ttl", -1L), false));
        assertEquals("Validation failed\n\n0 is not a valid queue expiry\n", reason(Map.of("expires", 0L), false));
        assertEquals("Validation failed\n\n<<\"x\">> is not a valid maximum length\n", reason(Map.of("max-length", "x"), false));
        assertEquals("Validation failed\n\n<<\"nope\">> is not a valid overflow value\n", reason(Map.of("overflow", "nope"), false));
        assertEquals("Validation failed\n\n5 is not a valid dead letter exchange name\n",
                reason(Map.of("dead-letter-exchange", 5L), false));
        assertEquals("Validation failed\n\n1.5 is not a valid maximum length in bytes\n", reason(Map.of("max-length-bytes", 1.5), false));
        assertEquals("Validation failed\n\nno policy provided\n", reason(Map.of(), false));
    }

    @Test
    void unknownKeysAreListedTogetherAfterTheKnownOnesPass() {
        Map<String, Object> def = new LinkedHashMap<>();
        def.put("foo", "bar");
        def.put("message-ttl", 10L);
        def.put("max-priority", 5L);
        assertEquals("Validation failed\n\n[{<<\"foo\">>,<<\"bar\">>},{<<\"max-priority\">>,5}] are not recognised policy settings\n",
                reason(def, false));
    }

    @Test
    void operatorPoliciesTakeOnlyTheNumericLimits() {
        PolicyDefinition.validate(Map.of("max-length", 5L, "message-ttl", 1L, "expires", 9L, "delivery-limit", 3L), true);
        assertEquals("Validation failed\n\n[{<<\"dead-letter-exchange\">>,<<\"dlx\">>}] are not recognised policy settings\n",
                reason(Map.of("dead-letter-exchange", "dlx"), true));
    }

    @Test
    void ignoredRabbitMqKeysAreAccepted() {
        PolicyDefinition.validate(Map.of("queue-mode", "lazy", "ha-mode", "all", "ha-sync-mode", "automatic"), false);
        assertEquals("Validation failed\n\n<<\"sometimes\">> is not a valid queue-mode value\n",
                reason(Map.of("queue-mode", "sometimes"), false));
    }

    @Test
    void patternAndApplyToAreChecked() {
        assertThrows(PolicyException.class, () -> policy("p", "(", ApplyTo.ALL, 0, Map.of("max-length", 1L)));
        assertEquals("Validation failed\n\napply-to 'queue' unrecognised; should be 'queues', 'exchanges' or 'all'\n",
                assertThrows(PolicyException.class, () -> ApplyTo.fromWireName("queue")).getMessage());
        assertSame(ApplyTo.QUORUM_QUEUES, ApplyTo.fromWireName("quorum_queues"));
    }

    @Test
    void patternIsSearchedAnywhereInTheName() {
        Policy p = policy("p", "orders", ApplyTo.ALL, 0, Map.of("max-length", 1L));
        assertEquals(true, p.matches("eu.orders.high"));
        assertEquals(false, p.matches("eu.order"));
        assertEquals(false, policy("q", "^orders$", ApplyTo.ALL, 0, Map.of("max-length", 1L)).matches("orders2"));
    }

    @Test
    void highestPriorityMatchingPolicyWinsAndTiesGoToTheFirstName() {
        Policy low = policy("low", ".*", ApplyTo.ALL, 1, Map.of("max-length", 1L));
        Policy high = policy("high", "^q", ApplyTo.QUEUES, 5, Map.of("max-length", 2L));
        Policy exchangesOnly = policy("ex", ".*", ApplyTo.EXCHANGES, 9, Map.of("alternate-exchange", "ae"));
        assertSame(high, EffectivePolicy.forQueue(List.of(low, high, exchangesOnly), List.of(), "q1", QueueType.CLASSIC).policy());
        assertSame(low, EffectivePolicy.forQueue(List.of(low, high, exchangesOnly), List.of(), "x1", QueueType.CLASSIC).policy());
        assertSame(exchangesOnly, EffectivePolicy.forExchange(List.of(low, high, exchangesOnly), List.of(), "q1").policy());
        Policy b = policy("b", ".*", ApplyTo.ALL, 1, Map.of("max-length", 3L));
        assertSame(b, EffectivePolicy.forQueue(List.of(low, b), List.of(), "q", QueueType.CLASSIC).policy());
        assertSame(b, EffectivePolicy.forQueue(List.of(b, policy("c", ".*", ApplyTo.ALL, 1, Map.of("max-length", 3L))),
                List.of(), "q", QueueType.CLASSIC).policy());
        assertSame(EffectivePolicy.NONE, EffectivePolicy.forQueue(List.of(high), List.of(), "x", QueueType.CLASSIC));
    }

    @Test
    void applyToQueueTypes() {
        Policy classic = policy("c", ".*", ApplyTo.CLASSIC_QUEUES, 0, Map.of("max-length", 1L));
        assertSame(classic, EffectivePolicy.forQueue(List.of(classic), List.of(), "q", QueueType.CLASSIC).policy());
        assertNull(EffectivePolicy.forQueue(List.of(classic), List.of(), "q", QueueType.QUORUM).policy());
    }

    @Test
    void operatorPolicyLowerNumberWinsOtherKeysStay() {
        Policy p = policy("p", ".*", ApplyTo.ALL, 0, Map.of("max-length", 100L, "message-ttl", 1000L, "dead-letter-exchange", "dlx"));
        Policy op = operator("op", ".*", Map.of("max-length", 10L, "message-ttl", 5000L, "expires", 60000L));
        EffectivePolicy e = EffectivePolicy.forQueue(List.of(p), List.of(op), "q", QueueType.CLASSIC);
        assertEquals(Map.of("max-length", 10L, "message-ttl", 1000L, "dead-letter-exchange", "dlx", "expires", 60000L),
                e.definition());
        assertEquals("p", e.policyName());
        assertEquals("op", e.operatorPolicyName());
    }

    @Test
    void queueArgumentsWinForNamesAndTheLowerNumberWinsForLimits() {
        EffectivePolicy e = EffectivePolicy.forQueue(List.of(policy("p", ".*", ApplyTo.ALL, 0,
                Map.of("message-ttl", 1000L, "max-length", 5L, "dead-letter-exchange", "policy-dlx", "overflow", "reject-publish",
                        "delivery-limit", 3L, "queue-mode", "lazy"))), List.of(), "q", QueueType.CLASSIC);
        Map<String, Object> args = e.queueArguments(Map.of("x-message-ttl", 500, "x-max-length", 50L,
                "x-dead-letter-exchange", "own-dlx"), QueueType.CLASSIC);
        assertEquals(Map.of("x-message-ttl", 500L, "x-max-length", 5L, "x-dead-letter-exchange", "own-dlx",
                "x-overflow", "reject-publish"), args); // delivery-limit: not a classic queue's; queue-mode: ignored
        assertEquals(3L, e.queueArguments(Map.of("x-queue-type", "quorum"), QueueType.QUORUM).get("x-delivery-limit"));
    }

    @Test
    void alternateExchangeComesFromTheDefinition() {
        assertEquals("ae", EffectivePolicy.forExchange(List.of(policy("p", ".*", ApplyTo.EXCHANGES, 0,
                Map.of("alternate-exchange", "ae"))), List.of(), "x").alternateExchange());
    }

    @Test
    void accessStateKeepsPoliciesPerVhostAndDropsThemWithTheVhost() {
        AccessState s = new AccessState(1, Map.of(), Set.of("/", "v"), Map.of());
        Policy p = policy("p", ".*", ApplyTo.ALL, 0, Map.of("max-length", 1L));
        s = s.apply(new AccessChange.PutPolicy(p, false));
        s = s.apply(new AccessChange.PutPolicy(Policy.of("v", "op", ".*", ApplyTo.QUEUES, 0, Map.of("max-length", 2L), true), true));
        assertEquals(Map.of("p", p), s.policiesOf("/", false));
        assertEquals(Set.of("op"), s.policiesOf("v", true).keySet());
        assertEquals(1L, s.queuePolicy("/", "q", QueueType.CLASSIC).definition().get("max-length"));
        AccessState withPolicies = s;
        assertThrows(IllegalArgumentException.class, () -> withPolicies.apply(new AccessChange.DeletePolicy("/", "nope", false)));
        assertThrows(IllegalArgumentException.class, () -> withPolicies.apply(new AccessChange.PutPolicy(
                Policy.of("missing", "p", ".*", ApplyTo.ALL, 0, Map.of("max-length", 1L), false), false)));
        s = s.apply(new AccessChange.DeletePolicy("/", "p", false));
        assertEquals(Map.of(), s.policiesOf("/", false));
        s = s.apply(new AccessChange.DeleteVhost("v"));
        assertEquals(Map.of(), s.operatorPolicies());
    }
}
