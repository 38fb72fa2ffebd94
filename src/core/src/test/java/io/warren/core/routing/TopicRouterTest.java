package io.warren.core.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicRouterTest {

    /** RabbitMQ's routing_SUITE topic bindings: {pattern, queue}, plus two "args-test" bindings to t27 differing in arguments. */
    private static final String[][] RABBIT_BINDINGS = {
            {"a.b.c", "t1"}, {"a.*.c", "t2"}, {"a.#.b", "t3"}, {"a.b.b.c", "t4"}, {"#", "t5"}, {"#.#", "t6"},
            {"#.b", "t7"}, {"*.*", "t8"}, {"a.*", "t9"}, {"*.b.c", "t10"}, {"a.#", "t11"}, {"a.#.#", "t12"},
            {"b.b.c", "t13"}, {"a.b.b", "t14"}, {"a.b", "t15"}, {"b.c", "t16"}, {"", "t17"}, {"*.*.*", "t18"},
            {"vodka.martini", "t19"}, {"a.b.c", "t20"}, {"*.#", "t21"}, {"#.*.#", "t22"}, {"*.#.#", "t23"},
            {"#.#.#", "t24"}, {"*", "t25"}, {"#.b.#", "t26"},
    };

    private static List<Binding> rabbitBindings() {
        List<Binding> bindings = new ArrayList<>();
        for (String[] b : RABBIT_BINDINGS) {
            bindings.add(Binding.toQueue("x", b[1], b[0]));
        }
        bindings.add(Binding.toQueue("x", "t27", "args-test", Map.of("foo", "bar")));
        bindings.add(Binding.toQueue("x", "t27", "args-test", Map.of("foo", "baz")));
        return bindings;
    }

    private static Set<String> route(ExchangeRouter router, String key) {
        Set<String> out = new TreeSet<>();
        router.route(key, null, d -> out.add(d.name()));
        return out;
    }

    private static Set<String> set(String... names) {
        return new TreeSet<>(Arrays.asList(names));
    }

    private static void assertRoutes(ExchangeRouter router, Object[][] table) {
        for (Object[] row : table) {
            assertEquals(set((String[]) row[1]), route(router, (String) row[0]), "routing key '" + row[0] + "'");
        }
    }

    private static ExchangeRouter incremental(List<Binding> bindings) {
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.TOPIC);
        for (Binding b : bindings) {
            router = router.add(b);
        }
        return router;
    }

    private static final Object[][] RABBIT_EXPECTED = {
            {"a.b.c", new String[]{"t1", "t2", "t5", "t6", "t10", "t11", "t12", "t18", "t20", "t21", "t22", "t23", "t24", "t26"}},
            {"a.b", new String[]{"t3", "t5", "t6", "t7", "t8", "t9", "t11", "t12", "t15", "t21", "t22", "t23", "t24", "t26"}},
            {"a.b.b", new String[]{"t3", "t5", "t6", "t7", "t11", "t12", "t14", "t18", "t21", "t22", "t23", "t24", "t26"}},
            {"", new String[]{"t5", "t6", "t17", "t24"}},
            {"b.c.c", new String[]{"t5", "t6", "t18", "t21", "t22", "t23", "t24", "t26"}},
            {"a.a.a.a.a", new String[]{"t5", "t6", "t11", "t12", "t21", "t22", "t23", "t24"}},
            {"vodka.gin", new String[]{"t5", "t6", "t8", "t21", "t22", "t23", "t24"}},
            {"vodka.martini", new String[]{"t5", "t6", "t8", "t19", "t21", "t22", "t23", "t24"}},
            {"b.b.c", new String[]{"t5", "t6", "t10", "t13", "t18", "t21", "t22", "t23", "t24", "t26"}},
            {"nothing.here.at.all", new String[]{"t5", "t6", "t21", "t22", "t23", "t24"}},
            {"oneword", new String[]{"t5", "t6", "t21", "t22", "t23", "t24", "t25"}},
            {"args-test", new String[]{"t5", "t6", "t21", "t22", "t23", "t24", "t25", "t27"}},
    };

    private static final Object[][] RABBIT_EXPECTED_AFTER_REMOVAL = {
            {"a.b.c", new String[]{"t2", "t6", "t10", "t12", "t18", "t20", "t22", "t23", "t24", "t26"}},
            {"a.b", new String[]{"t3", "t6", "t7", "t8", "t9", "t12", "t15", "t22", "t23", "t24", "t26"}},
            {"a.b.b", new String[]{"t3", "t6", "t7", "t12", "t14", "t18", "t22", "t23", "t24", "t26"}},
            {"", new String[]{"t6", "t17", "t24"}},
            {"b.c.c", new String[]{"t6", "t18", "t22", "t23", "t24", "t26"}},
            {"a.a.a.a.a", new String[]{"t6", "t12", "t22", "t23", "t24"}},
            {"vodka.gin", new String[]{"t6", "t8", "t22", "t23", "t24"}},
            {"vodka.martini", new String[]{"t6", "t8", "t22", "t23", "t24"}},
            {"b.b.c", new String[]{"t6", "t10", "t13", "t18", "t22", "t23", "t24", "t26"}},
            {"nothing.here.at.all", new String[]{"t6", "t22", "t23", "t24"}},
            {"oneword", new String[]{"t6", "t22", "t23", "t24", "t25"}},
            {"args-test", new String[]{"t6", "t22", "t23", "t24", "t25", "t27"}},
    };

    @Test
    void rabbitmqTopicTableMatchesAndSurvivesRemovals() {
        List<Binding> bindings = rabbitBindings();
        ExchangeRouter router = incremental(bindings);
        assertEquals(bindings.size(), router.size());
        assertRoutes(router, RABBIT_EXPECTED);

        // RabbitMQ removes bindings 1, 5, 11, 19, 21 and 28 (1-based), the last being one of the two t27 aliases
        for (int n : new int[]{1, 5, 11, 19, 21, 28}) {
            router = router.remove(bindings.get(n - 1));
        }
        assertEquals(bindings.size() - 6, router.size());
        assertRoutes(router, RABBIT_EXPECTED_AFTER_REMOVAL);

        for (Binding b : bindings) {
            router = router.remove(b);
        }
        assertTrue(router.isEmpty());
        assertEquals(Set.of(), route(router, "a.b.c"));
    }

    @Test
    void bulkBuildMatchesIncrementalBuild() {
        List<Binding> bindings = rabbitBindings();
        ExchangeRouter bulk = ExchangeRouter.empty(ExchangeType.TOPIC).addAll(bindings);
        assertEquals(bindings.size(), bulk.size());
        assertRoutes(bulk, RABBIT_EXPECTED);
        assertEquals(new HashSet<>(bindings), new HashSet<>(bulk.bindings()));
    }

    @Test
    void emptyWordsAreWords() {
        ExchangeRouter router = incremental(List.of(
                Binding.toQueue("x", "a-star-b", "a.*.b"),
                Binding.toQueue("x", "star", "*"),
                Binding.toQueue("x", "star-star", "*.*"),
                Binding.toQueue("x", "dot-a", ".a"),
                Binding.toQueue("x", "a-dot", "a."),
                Binding.toQueue("x", "dot", "."),
                Binding.toQueue("x", "empty", ""),
                Binding.toQueue("x", "a-hash", "a.#")));
        assertEquals(set("a-star-b", "a-hash"), route(router, "a..b"));
        assertEquals(set("dot-a", "star-star"), route(router, ".a"));
        assertEquals(set("a-dot", "star-star", "a-hash"), route(router, "a."));
        assertEquals(set("dot", "star-star"), route(router, "."));
        // the empty key has no words: "*" needs one, "" and "#"-only patterns match it
        assertEquals(set("empty"), route(router, ""));
        assertEquals(set("star", "a-hash"), route(router, "a"));
        assertEquals(set("a-hash"), route(router, "a.b.c"));
        assertEquals(set(), route(router, "..."));
    }

    @Test
    void wildcardsInRoutingKeysAreLiteralWords() {
        ExchangeRouter router = incremental(List.of(
                Binding.toQueue("x", "ab", "a.b"),
                Binding.toQueue("x", "astar", "a.*")));
        assertEquals(set("astar"), route(router, "a.*"));
        assertEquals(set("astar"), route(router, "a.#"));
        assertEquals(set(), route(router, "#"));
    }

    @Test
    void duplicateBindingIsANoOpAndRemovingAnAbsentOneToo() {
        Binding b = Binding.toQueue("x", "q", "a.#");
        ExchangeRouter one = ExchangeRouter.empty(ExchangeType.TOPIC).add(b);
        assertSame(one, one.add(Binding.toQueue("x", "q", "a.#")));
        assertSame(one, one.remove(Binding.toQueue("x", "q", "a.*")));
        assertSame(one, one.remove(Binding.toQueue("x", "other", "a.#")));
        assertTrue(one.contains(Binding.toQueue("x", "q", "a.#")));
        assertFalse(one.contains(Binding.toQueue("x", "q", "a")));
    }

    @Test
    void collapsedHashRunsStillRemoveIndependently() {
        Binding single = Binding.toQueue("x", "q1", "a.#");
        Binding run = Binding.toQueue("x", "q2", "a.#.#.#");
        ExchangeRouter router = incremental(List.of(single, run));
        assertEquals(set("q1", "q2"), route(router, "a"));
        router = router.remove(single);
        assertEquals(set("q2"), route(router, "a.b.c"));
        assertEquals(List.of(run), List.copyOf(router.bindings()));
    }

    @Test
    void manyLiteralChildrenGrowAndShrinkTheEdgeTable() {
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.TOPIC);
        for (int i = 0; i < 500; i++) {
            router = router.add(Binding.toQueue("x", "q" + i, "w" + i + ".end"));
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(set("q" + i), route(router, "w" + i + ".end"));
        }
        for (int i = 0; i < 500; i += 2) {
            router = router.remove(Binding.toQueue("x", "q" + i, "w" + i + ".end"));
        }
        assertEquals(250, router.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(i % 2 == 0 ? set() : set("q" + i), route(router, "w" + i + ".end"));
        }
    }

    @Test
    void nonAsciiWordsMatch() {
        ExchangeRouter router = incremental(List.of(Binding.toQueue("x", "q", "caf\u00e9.*.\uD83D\uDC07")));
        assertEquals(set("q"), route(router, "caf\u00e9.x.\uD83D\uDC07"));
        assertEquals(set(), route(router, "cafe.x.\uD83D\uDC07"));
    }

    // ---- randomized comparison against a direct reading of RabbitMQ's rules

    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\.", -1));
    }

    private static boolean referenceMatch(List<String> p, int i, List<String> w, int j) {
        if (i == p.size()) {
            return j == w.size();
        }
        String pw = p.get(i);
        if (pw.equals("#")) {
            for (int k = j; k <= w.size(); k++) {
                if (referenceMatch(p, i + 1, w, k)) {
                    return true;
                }
            }
            return false;
        }
        if (j == w.size()) {
            return false;
        }
        return (pw.equals("*") || pw.equals(w.get(j))) && referenceMatch(p, i + 1, w, j + 1);
    }

    private static String randomJoin(Random random, String[] alphabet, int maxWords) {
        int n = random.nextInt(maxWords + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append('.');
            sb.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    @Test
    void agreesWithReferenceMatcherOnRandomPatternsAndKeys() {
        Random random = new Random(20240611);
        String[] patternAlphabet = {"a", "b", "", "*", "#", "#"};
        String[] keyAlphabet = {"a", "b", "", "*"};
        for (int round = 0; round < 40; round++) {
            Map<Binding, String> patterns = new LinkedHashMap<>();
            ExchangeRouter router = ExchangeRouter.empty(ExchangeType.TOPIC);
            for (int i = 0; i < 30; i++) {
                String pattern = randomJoin(random, patternAlphabet, 5);
                Binding b = Binding.toQueue("x", "q" + i, pattern);
                patterns.put(b, pattern);
                router = router.add(b);
            }
            // drop a few to exercise pruning
            List<Binding> all = new ArrayList<>(patterns.keySet());
            for (int i = 0; i < 8; i++) {
                Binding victim = all.get(random.nextInt(all.size()));
                router = router.remove(victim);
                patterns.remove(victim);
            }
            ExchangeRouter bulk = ExchangeRouter.empty(ExchangeType.TOPIC).addAll(patterns.keySet());
            for (int k = 0; k < 60; k++) {
                String key = randomJoin(random, keyAlphabet, 6);
                Set<String> expected = new TreeSet<>();
                patterns.forEach((b, p) -> {
                    if (referenceMatch(words(p), 0, words(key), 0)) {
                        expected.add(b.destination().name());
                    }
                });
                assertEquals(expected, route(router, key), "key '" + key + "' patterns " + patterns.values());
                assertEquals(expected, route(bulk, key), "bulk, key '" + key + "'");
            }
        }
    }
}
