package io.warren.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An alternate exchange from a policy; the exchange's own alternate-exchange argument wins over it. */
class PolicyAlternateExchangeTest {

    private static RoutingTable table() {
        RoutingTable table = RoutingTable.withDefaults();
        table.declareQueue("by-policy");
        table.declareQueue("by-argument");
        table.declareExchange(new ExchangeDefinition("policy-ae", ExchangeType.FANOUT, false, false, false, Map.of()));
        table.declareExchange(new ExchangeDefinition("own-ae", ExchangeType.FANOUT, false, false, false, Map.of()));
        table.bind(Binding.toQueue("policy-ae", "by-policy", ""));
        table.bind(Binding.toQueue("own-ae", "by-argument", ""));
        table.declareExchange(new ExchangeDefinition("plain", ExchangeType.DIRECT, false, false, false, Map.of()));
        table.declareExchange(new ExchangeDefinition("with-arg", ExchangeType.DIRECT, false, false, false,
                Map.of("alternate-exchange", "own-ae")));
        return table;
    }

    @Test
    void unroutedMessagesGoToThePolicysAlternateExchange() {
        RoutingTable t = table();
        assertEquals(Set.of(), t.route("plain", "k", null), "no policy yet");
        t.policyAlternates(exchange -> exchange.equals("plain") || exchange.equals("with-arg") ? "policy-ae" : null);
        assertEquals(Set.of("by-policy"), t.route("plain", "k", null));
        assertEquals(Set.of("by-argument"), t.route("with-arg", "k", null), "the exchange's argument wins");
        t.policyAlternates(exchange -> null);
        assertEquals(Set.of(), t.route("plain", "k", null), "policy cleared");
    }
}
