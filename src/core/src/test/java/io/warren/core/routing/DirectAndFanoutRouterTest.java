package io.warren.core.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectAndFanoutRouterTest {

    private static List<String> route(ExchangeRouter router, String key) {
        List<String> out = new ArrayList<>();
        router.route(key, null, d -> out.add(d.kind() + ":" + d.name()));
        out.sort(null);
        return out;
    }

    @Test
    void directMatchesExactKeysOnly() {
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.DIRECT)
                .add(Binding.toQueue("d", "q1", "red"))
                .add(Binding.toQueue("d", "q2", "red"))
                .add(Binding.toQueue("d", "q3", "blue"))
                .add(Binding.toExchange("d", "x2", "red"))
                .add(Binding.toQueue("d", "q4", ""));
        assertEquals(List.of("EXCHANGE:x2", "QUEUE:q1", "QUEUE:q2"), route(router, "red"));
        assertEquals(List.of("QUEUE:q3"), route(router, "blue"));
        assertEquals(List.of("QUEUE:q4"), route(router, ""));
        assertEquals(List.of(), route(router, "Red"));
        assertEquals(List.of(), route(router, "red.x"));
        assertEquals(5, router.size());
    }

    @Test
    void aliasedBindingsEmitTheQueueOnceAndKeepRoutingUntilTheLastGoes() {
        Binding a = Binding.toQueue("d", "q", "k", Map.of("v", 1));
        Binding b = Binding.toQueue("d", "q", "k", Map.of("v", 2));
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.DIRECT).add(a).add(b);
        assertEquals(2, router.size());
        assertEquals(List.of("QUEUE:q"), route(router, "k"));
        router = router.remove(a);
        assertEquals(List.of("QUEUE:q"), route(router, "k"));
        router = router.remove(b);
        assertTrue(router.isEmpty());
        assertEquals(List.of(), route(router, "k"));
    }

    @Test
    void addingTheSameBindingTwiceChangesNothing() {
        ExchangeRouter once = ExchangeRouter.empty(ExchangeType.DIRECT).add(Binding.toQueue("d", "q", "k"));
        assertSame(once, once.add(Binding.toQueue("d", "q", "k")));
        ExchangeRouter fanout = ExchangeRouter.empty(ExchangeType.FANOUT).add(Binding.toQueue("f", "q", "k"));
        assertSame(fanout, fanout.add(Binding.toQueue("f", "q", "k")));
        assertSame(fanout, fanout.remove(Binding.toQueue("f", "q", "other")));
    }

    @Test
    void fanoutIgnoresTheKey() {
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.FANOUT)
                .add(Binding.toQueue("f", "q1", "a"))
                .add(Binding.toQueue("f", "q2", "b"))
                .add(Binding.toQueue("f", "q2", "c"));
        assertEquals(List.of("QUEUE:q1", "QUEUE:q2"), route(router, "zzz"));
        assertEquals(List.of("QUEUE:q1", "QUEUE:q2"), route(router, ""));
        router = router.remove(Binding.toQueue("f", "q2", "b"));
        assertEquals(List.of("QUEUE:q1", "QUEUE:q2"), route(router, "x"));
        router = router.remove(Binding.toQueue("f", "q2", "c"));
        assertEquals(List.of("QUEUE:q1"), route(router, "x"));
    }

    @Test
    void bulkAddEqualsIncrementalAdd() {
        List<Binding> bindings = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            bindings.add(Binding.toQueue("d", "q" + (i % 7), "k" + (i % 5)));
        }
        for (ExchangeType type : List.of(ExchangeType.DIRECT, ExchangeType.FANOUT, ExchangeType.HEADERS)) {
            ExchangeRouter incremental = ExchangeRouter.empty(type);
            for (Binding b : bindings) {
                incremental = incremental.add(b);
            }
            ExchangeRouter bulk = ExchangeRouter.empty(type).addAll(bindings);
            assertEquals(new HashSet<>(incremental.bindings()), new HashSet<>(bulk.bindings()), type.toString());
            assertEquals(incremental.size(), bulk.size(), type.toString());
            for (int k = 0; k < 6; k++) {
                assertEquals(route(incremental, "k" + k), route(bulk, "k" + k), type + " k" + k);
            }
        }
    }
}
