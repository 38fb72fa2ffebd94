package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingTableTest {

    private static ExchangeDefinition exchange(String name, ExchangeType type) {
        return new ExchangeDefinition(name, type, false, false, false, Map.of());
    }

    private static ExchangeDefinition autoDelete(String name, ExchangeType type) {
        return new ExchangeDefinition(name, type, false, true, false, Map.of());
    }

    private static ExchangeDefinition withAe(String name, ExchangeType type, String ae) {
        return new ExchangeDefinition(name, type, false, false, false, Map.of("alternate-exchange", ae));
    }

    private static RoutingTable tableWithQueues(String... queues) {
        RoutingTable table = RoutingTable.withDefaults();
        for (String q : queues) {
            table.declareQueue(q);
        }
        return table;
    }

    @Test
    void checkBindingRefusesABadXMatchWithoutBinding() {
        RoutingTable table = tableWithQueues("q");
        Binding bad = new Binding("amq.headers", Destination.queue("q"), "", Map.of("x-match", 1));
        io.warren.amqp.AmqpException e = assertThrows(io.warren.amqp.AmqpException.class, () -> table.checkBinding(bad));
        assertEquals("PRECONDITION_FAILED - Invalid x-match field type signedint (value 1); expected longstr", e.replyText());
        assertFalse(table.hasBinding(bad));
        table.checkBinding(new Binding("amq.headers", Destination.queue("q"), "", Map.of("x-match", "any")));
    }

    @Test
    void defaultsArePredeclaredAndDurable() {
        RoutingTable table = RoutingTable.withDefaults();
        assertEquals(ExchangeType.DIRECT, table.exchange("").orElseThrow().type());
        assertEquals(ExchangeType.DIRECT, table.exchange("amq.direct").orElseThrow().type());
        assertEquals(ExchangeType.FANOUT, table.exchange("amq.fanout").orElseThrow().type());
        assertEquals(ExchangeType.TOPIC, table.exchange("amq.topic").orElseThrow().type());
        assertEquals(ExchangeType.HEADERS, table.exchange("amq.headers").orElseThrow().type());
        assertEquals(ExchangeType.HEADERS, table.exchange("amq.match").orElseThrow().type());
        assertEquals(6, table.exchanges().size());
        assertTrue(table.exchanges().stream().allMatch(ExchangeDefinition::durable));
        assertTrue(table.allBindings().isEmpty());
    }

    @Test
    void defaultExchangeRoutesToTheQueueNamedByTheKey() {
        RoutingTable table = tableWithQueues("q1", "q2");
        assertEquals(Set.of("q1"), table.route("", "q1", null));
        assertEquals(Set.of(), table.route("", "nope", null));
        assertEquals(Set.of("q1", "q2"), table.route("", List.of("q1", "q2", "nope", "q1"), null));
        table.removeQueue("q1");
        assertEquals(Set.of(), table.route("", "q1", null));
    }

    @Test
    void unknownExchangeRoutesNowhere() {
        RoutingTable table = tableWithQueues("q");
        assertEquals(Set.of(), table.route("missing", "q", null));
        assertEquals(Set.of(), new RoutingTable().route("", "q", null));
    }

    @Test
    void ccKeysAreRoutedTogether() {
        RoutingTable table = tableWithQueues("red", "blue", "green");
        table.bind(Binding.toQueue("amq.direct", "red", "r"));
        table.bind(Binding.toQueue("amq.direct", "blue", "b"));
        table.bind(Binding.toQueue("amq.direct", "green", "b"));
        assertEquals(Set.of("red", "blue", "green"), table.route("amq.direct", List.of("r", "b"), null));
        assertEquals(Set.of("red"), table.route("amq.direct", List.of("r", "r", "x"), null));
        table.bind(Binding.toQueue("amq.topic", "red", "a.*"));
        table.bind(Binding.toQueue("amq.topic", "blue", "#.z"));
        assertEquals(Set.of("red", "blue"), table.route("amq.topic", List.of("a.b", "y.z"), null));
    }

    @Test
    void exchangeToExchangeBindingsAreFollowedAndLoopsEnd() {
        RoutingTable table = tableWithQueues("q1", "q2", "q3");
        table.declareExchange(exchange("x1", ExchangeType.FANOUT));
        table.declareExchange(exchange("x2", ExchangeType.FANOUT));
        table.declareExchange(exchange("x3", ExchangeType.TOPIC));
        table.bind(Binding.toExchange("x1", "x2", ""));
        table.bind(Binding.toExchange("x2", "x3", ""));
        table.bind(Binding.toExchange("x3", "x1", "#"));   // loop back to the start
        table.bind(Binding.toExchange("x2", "x2", ""));    // self loop
        table.bind(Binding.toQueue("x1", "q1", ""));
        table.bind(Binding.toQueue("x2", "q1", ""));       // reached twice, reported once
        table.bind(Binding.toQueue("x3", "q2", "a.#"));
        table.bind(Binding.toQueue("x3", "q3", "b"));
        assertEquals(Set.of("q1", "q2"), table.route("x1", "a.c", null));
        assertEquals(Set.of("q1", "q3"), table.route("x2", "b", null));
        assertEquals(Set.of("q1"), table.route("x3", "zzz", null));
    }

    @Test
    void diamondOfExchangesVisitsEachOnce() {
        RoutingTable table = tableWithQueues("q");
        for (String x : List.of("top", "left", "right", "bottom")) {
            table.declareExchange(exchange(x, ExchangeType.FANOUT));
        }
        table.bind(Binding.toExchange("top", "left", ""));
        table.bind(Binding.toExchange("top", "right", ""));
        table.bind(Binding.toExchange("left", "bottom", ""));
        table.bind(Binding.toExchange("right", "bottom", ""));
        table.bind(Binding.toQueue("bottom", "q", ""));
        assertEquals(Set.of("q"), table.route("top", "", null));
    }

    @Test
    void alternateExchangeTakesWhatRoutesNowhere() {
        RoutingTable table = tableWithQueues("main", "unrouted");
        table.declareExchange(exchange("ae", ExchangeType.FANOUT));
        table.declareExchange(withAe("x", ExchangeType.DIRECT, "ae"));
        table.bind(Binding.toQueue("x", "main", "k"));
        table.bind(Binding.toQueue("ae", "unrouted", ""));
        assertEquals(Set.of("main"), table.route("x", "k", null));
        assertEquals(Set.of("unrouted"), table.route("x", "other", null));
        // one CC key routing is enough to keep the alternate out
        assertEquals(Set.of("main"), table.route("x", List.of("other", "k"), null));
    }

    @Test
    void alternateExchangeChainsAndLoops() {
        RoutingTable table = tableWithQueues("end");
        table.declareExchange(withAe("a", ExchangeType.DIRECT, "b"));
        table.declareExchange(withAe("b", ExchangeType.DIRECT, "c"));
        table.declareExchange(withAe("c", ExchangeType.DIRECT, "a"));   // AE loop
        assertEquals(Set.of(), table.route("a", "k", null));
        table.bind(Binding.toQueue("c", "end", "k"));
        assertEquals(Set.of("end"), table.route("a", "k", null));
        assertEquals(Set.of(), table.route("a", "other", null));
        // a missing alternate is ignored
        table.declareExchange(withAe("lonely", ExchangeType.DIRECT, "does-not-exist"));
        assertEquals(Set.of(), table.route("lonely", "k", null));
        // the default exchange can be an alternate
        table.declareExchange(withAe("to-default", ExchangeType.DIRECT, ""));
        assertEquals(Set.of("end"), table.route("to-default", "end", null));
    }

    @Test
    void alternateIsNotUsedWhenTheExchangeRoutedToAnExchangeThatRoutedNowhere() {
        // RabbitMQ: the alternate stands in for an exchange whose own bindings matched nothing; a match to an
        // exchange counts as a match even if that exchange then routes nowhere (it may use its own alternate)
        RoutingTable table = tableWithQueues("aeq", "innerq");
        table.declareExchange(exchange("ae", ExchangeType.FANOUT));
        table.bind(Binding.toQueue("ae", "aeq", ""));
        table.declareExchange(exchange("inner", ExchangeType.DIRECT));
        table.declareExchange(withAe("outer", ExchangeType.FANOUT, "ae"));
        table.bind(Binding.toExchange("outer", "inner", ""));
        assertEquals(Set.of(), table.route("outer", "k", null));
        table.declareExchange(exchange("ae2", ExchangeType.FANOUT));
        table.bind(Binding.toQueue("ae2", "innerq", ""));
        table.declareExchange(withAe("inner", ExchangeType.DIRECT, "ae2"));
        assertEquals(Set.of("innerq"), table.route("outer", "k", null));
    }

    @Test
    void headersExchangeRoutesOnHeadersThroughTheTable() {
        RoutingTable table = tableWithQueues("pdf", "any");
        table.bind(Binding.toQueue("amq.match", "pdf", "", Map.of("format", "pdf")));
        table.bind(Binding.toQueue("amq.match", "any", "", Map.of("x-match", "any", "format", "pdf", "size", 1)));
        assertEquals(Set.of("pdf", "any"), table.route("amq.match", "", Map.of("format", "pdf")));
        assertEquals(Set.of("any"), table.route("amq.match", List.of("a", "b"), Map.of("size", 1L)));
        assertEquals(Set.of(), table.route("amq.match", "", null));
    }

    @Test
    void bindReportsDuplicatesAndRabbitErrors() {
        RoutingTable table = tableWithQueues("q");
        assertTrue(table.bind(Binding.toQueue("amq.direct", "q", "k")));
        assertFalse(table.bind(Binding.toQueue("amq.direct", "q", "k")));
        assertTrue(table.bind(Binding.toQueue("amq.direct", "q", "k", Map.of("a", 1))));
        assertEquals(2, table.bindingsFrom("amq.direct").size());

        AmqpException noExchange = assertThrows(AmqpException.class, () -> table.bind(Binding.toQueue("nope", "missing-q", "k")));
        assertEquals(404, noExchange.replyCode());
        assertEquals("NOT_FOUND - no exchange 'nope' in vhost '/'", noExchange.replyText());
        AmqpException noQueue = assertThrows(AmqpException.class, () -> table.bind(Binding.toQueue("amq.direct", "missing-q", "k")));
        assertEquals("NOT_FOUND - no queue 'missing-q' in vhost '/'", noQueue.replyText());
        AmqpException noDestX = assertThrows(AmqpException.class, () -> table.bind(Binding.toExchange("amq.direct", "nox", "k")));
        assertEquals("NOT_FOUND - no exchange 'nox' in vhost '/'", noDestX.replyText());
        AmqpException fromDefault = assertThrows(AmqpException.class, () -> table.bind(Binding.toQueue("", "q", "k")));
        assertEquals(403, fromDefault.replyCode());
        assertEquals("ACCESS_REFUSED - operation not permitted on the default exchange", fromDefault.replyText());
        assertThrows(AmqpException.class, () -> table.bind(Binding.toExchange("amq.direct", "", "k")));
        AmqpException badXMatch = assertThrows(AmqpException.class,
                () -> table.bind(Binding.toQueue("amq.headers", "q", "", Map.of("x-match", "most"))));
        assertEquals(406, badXMatch.replyCode());
        assertTrue(table.bindingsFrom("amq.headers").isEmpty());
    }

    @Test
    void unbindRemovesOnlyTheExactBinding() {
        RoutingTable table = tableWithQueues("q");
        Binding plain = Binding.toQueue("amq.direct", "q", "k");
        Binding withArgs = Binding.toQueue("amq.direct", "q", "k", Map.of("a", 1));
        table.bind(plain);
        table.bind(withArgs);
        assertEquals(new UnbindResult(false, List.of()), table.unbind(Binding.toQueue("amq.direct", "q", "k", Map.of("a", 2))));
        assertEquals(new UnbindResult(true, List.of()), table.unbind(plain));
        assertEquals(Set.of("q"), table.route("amq.direct", "k", null));
        assertEquals(List.of(withArgs), table.bindingsTo(Destination.queue("q")));
        assertEquals(new UnbindResult(true, List.of()), table.unbind(withArgs));
        assertEquals(Set.of(), table.route("amq.direct", "k", null));
        assertEquals(List.of(), table.bindingsTo(Destination.queue("q")));
        assertEquals(new UnbindResult(false, List.of()), table.unbind(Binding.toQueue("gone", "q", "k")));
    }

    @Test
    void autoDeleteExchangeGoesWithItsLastBinding() {
        RoutingTable table = tableWithQueues("q1", "q2");
        table.declareExchange(autoDelete("ad", ExchangeType.FANOUT));
        table.bind(Binding.toQueue("ad", "q1", ""));
        table.bind(Binding.toQueue("ad", "q2", ""));
        assertEquals(new UnbindResult(true, List.of()), table.unbind(Binding.toQueue("ad", "q1", "")));
        assertTrue(table.exchange("ad").isPresent());
        assertEquals(new UnbindResult(true, List.of("ad")), table.unbind(Binding.toQueue("ad", "q2", "")));
        assertTrue(table.exchange("ad").isEmpty());
    }

    @Test
    void autoDeleteExchangeWithoutBindingsStaysUntilItHasHadOne() {
        RoutingTable table = tableWithQueues("q");
        table.declareExchange(autoDelete("ad", ExchangeType.DIRECT));
        assertEquals(List.of(), table.removeQueue("q"));
        assertTrue(table.exchange("ad").isPresent());
    }

    @Test
    void removingAQueueCascadesThroughAutoDeleteExchanges() {
        RoutingTable table = tableWithQueues("q", "other");
        table.declareExchange(autoDelete("leaf", ExchangeType.DIRECT));
        table.declareExchange(autoDelete("middle", ExchangeType.FANOUT));
        table.declareExchange(autoDelete("root", ExchangeType.TOPIC));
        table.declareExchange(autoDelete("busy", ExchangeType.FANOUT));
        table.declareExchange(exchange("durable-ish", ExchangeType.FANOUT));
        table.bind(Binding.toQueue("leaf", "q", "k"));
        table.bind(Binding.toExchange("middle", "leaf", ""));
        table.bind(Binding.toExchange("root", "middle", "#"));
        table.bind(Binding.toExchange("busy", "leaf", ""));
        table.bind(Binding.toQueue("busy", "other", ""));        // keeps busy alive
        table.bind(Binding.toExchange("durable-ish", "leaf", "")); // not auto-delete: stays, empty

        assertEquals(Set.of("q"), table.route("root", "k", null));
        List<String> deleted = table.removeQueue("q");
        assertEquals(List.of("leaf", "middle", "root"), deleted);
        assertFalse(table.hasQueue("q"));
        for (String x : deleted) {
            assertTrue(table.exchange(x).isEmpty(), x);
        }
        assertTrue(table.exchange("busy").isPresent());
        assertTrue(table.exchange("durable-ish").isPresent());
        assertEquals(List.of(Binding.toQueue("busy", "other", "")), table.bindingsFrom("busy"));
        assertTrue(table.bindingsFrom("durable-ish").isEmpty());
        assertEquals(List.of(), table.bindingsTo(Destination.exchange("leaf")));
        assertEquals(Set.of("other"), table.route("busy", "", null));
    }

    @Test
    void deletingAnExchangeDropsBindingsBothWaysAndReportsAutoDeletes() {
        RoutingTable table = tableWithQueues("q");
        table.declareExchange(exchange("x", ExchangeType.FANOUT));
        table.declareExchange(autoDelete("feeder", ExchangeType.FANOUT));
        table.declareExchange(exchange("plain-feeder", ExchangeType.FANOUT));
        table.bind(Binding.toQueue("x", "q", ""));
        table.bind(Binding.toExchange("feeder", "x", ""));
        table.bind(Binding.toExchange("plain-feeder", "x", ""));
        table.bind(Binding.toExchange("x", "x", ""));
        assertTrue(table.isInUse("x"));

        ExchangeDeletion deletion = table.deleteExchangeCascading("x");
        assertEquals(new ExchangeDeletion(true, List.of("feeder")), deletion);
        assertTrue(table.exchange("x").isEmpty());
        assertTrue(table.exchange("feeder").isEmpty());
        assertTrue(table.exchange("plain-feeder").isPresent());
        assertFalse(table.isInUse("plain-feeder"));
        assertEquals(List.of(), table.bindingsTo(Destination.queue("q")));
        assertTrue(table.allBindings().isEmpty());
        assertFalse(table.deleteExchange("x"));
        assertEquals(new ExchangeDeletion(false, List.of()), table.deleteExchangeCascading("x"));
    }

    @Test
    void redeclaringKeepsBindingsAndAnotherTypeReindexesThem() {
        RoutingTable table = tableWithQueues("q");
        table.declareExchange(exchange("x", ExchangeType.DIRECT));
        table.bind(Binding.toQueue("x", "q", "k"));
        table.declareExchange(withAe("x", ExchangeType.DIRECT, "amq.fanout"));
        assertEquals(Set.of("q"), table.route("x", "k", null));
        table.declareExchange(exchange("x", ExchangeType.FANOUT));
        assertEquals(Set.of("q"), table.route("x", "anything", null));
        assertEquals(1, table.bindingsFrom("x").size());
    }

    @Test
    void bindAllLoadsManyBindingsAtOnce() {
        RoutingTable table = tableWithQueues("q0", "q1", "q2");
        table.declareExchange(exchange("t", ExchangeType.TOPIC));
        List<Binding> bindings = List.of(
                Binding.toQueue("t", "q0", "a.#"), Binding.toQueue("t", "q1", "*.b"),
                Binding.toQueue("amq.direct", "q2", "k"), Binding.toQueue("t", "q0", "a.#"));
        assertEquals(3, table.bindAll(bindings));
        assertEquals(Set.of("q0", "q1"), table.route("t", "a.b", null));
        assertEquals(Set.of("q2"), table.route("amq.direct", "k", null));
        assertEquals(2, table.bindingsTo(Destination.queue("q0")).size() + table.bindingsTo(Destination.queue("q1")).size());
        assertThrows(AmqpException.class, () -> table.bindAll(List.of(
                Binding.toQueue("t", "q0", "new"), Binding.toQueue("t", "missing", "x"))));
        assertEquals(2, table.bindingsFrom("t").size());
    }

    @Test
    void requireHelpersUseRabbitTexts() {
        RoutingTable table = new RoutingTable("prod");
        assertEquals("NOT_FOUND - no exchange 'x' in vhost 'prod'",
                assertThrows(AmqpException.class, () -> table.requireExchange("x")).replyText());
        assertEquals("NOT_FOUND - no queue 'q' in vhost 'prod'",
                assertThrows(AmqpException.class, () -> table.requireQueue("q")).replyText());
        table.declareQueue("q");
        table.requireQueue("q");
        assertEquals(Set.of("q"), table.queues());
    }
}
