package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadersRouterTest {

    private static Map<String, Object> table(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Whether a single binding with these arguments matches these headers. */
    private static boolean matches(Map<String, Object> bindingArgs, Map<String, Object> headers) {
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.HEADERS).add(Binding.toQueue("h", "q", "", bindingArgs));
        Set<String> out = new TreeSet<>();
        router.route("ignored", headers, d -> out.add(d.name()));
        return out.contains("q");
    }

    @Test
    void allIsTheDefaultAndNeedsEveryArgument() {
        Map<String, Object> args = table("a", "1", "b", 2);
        assertTrue(matches(args, table("a", "1", "b", 2, "c", "extra")));
        assertFalse(matches(args, table("a", "1")));
        assertFalse(matches(args, table("a", "1", "b", 3)));
        assertFalse(matches(args, null));
        assertTrue(matches(table("x-match", "all", "a", "1"), table("a", "1")));
    }

    @Test
    void anyNeedsOneArgument() {
        Map<String, Object> args = table("x-match", "any", "a", "1", "b", 2);
        assertTrue(matches(args, table("a", "1")));
        assertTrue(matches(args, table("b", 2, "a", "nope")));
        assertFalse(matches(args, table("a", "nope", "c", 2)));
        assertFalse(matches(args, Map.of()));
        assertFalse(matches(args, null));
    }

    @Test
    void emptyPatternAllMatchesEverythingAnyNothing() {
        assertTrue(matches(Map.of(), null));
        assertTrue(matches(Map.of(), table("a", 1)));
        assertTrue(matches(table("x-match", "all"), Map.of()));
        assertFalse(matches(table("x-match", "any"), table("a", 1)));
        // only x- arguments, ignored by all/any: same as empty
        assertTrue(matches(table("x-match", "all", "x-foo", "bar"), Map.of()));
        assertFalse(matches(table("x-match", "any", "x-foo", "bar"), table("x-foo", "bar")));
    }

    @Test
    void xArgumentsAreIgnoredByAllAndAnyButMatchedWithX() {
        assertTrue(matches(table("x-match", "all", "x-tenant", "t1", "a", 1), table("a", 1)));
        assertFalse(matches(table("x-match", "all-with-x", "x-tenant", "t1", "a", 1), table("a", 1)));
        assertTrue(matches(table("x-match", "all-with-x", "x-tenant", "t1", "a", 1), table("a", 1, "x-tenant", "t1")));
        assertFalse(matches(table("x-match", "any", "x-tenant", "t1"), table("x-tenant", "t1")));
        assertTrue(matches(table("x-match", "any-with-x", "x-tenant", "t1", "a", 1), table("x-tenant", "t1")));
        assertFalse(matches(table("x-match", "any-with-x", "x-tenant", "t1"), table("x-tenant", "t2")));
    }

    @Test
    void voidArgumentMatchesOnPresenceOnly() {
        Map<String, Object> args = table("a", null);
        assertTrue(matches(args, table("a", "anything")));
        assertTrue(matches(args, table("a", null)));
        assertFalse(matches(args, table("b", "x")));
        assertTrue(matches(table("x-match", "any", "a", null, "b", 1), table("a", 5)));
        // a void header does not equal a non-void pattern value
        assertFalse(matches(table("a", 1), table("a", null)));
    }

    @Test
    void valuesCompareLikeErlangEquality() {
        assertTrue(matches(table("n", 1), table("n", 1L)));
        assertTrue(matches(table("n", (byte) 1), table("n", (short) 1)));
        assertTrue(matches(table("n", 1), table("n", 1.0d)));
        assertTrue(matches(table("n", 1.5f), table("n", 1.5d)));
        assertFalse(matches(table("n", 1), table("n", 2L)));
        assertFalse(matches(table("n", 1), table("n", "1")));
        assertTrue(matches(table("s", "abc"), table("s", "abc".getBytes(StandardCharsets.UTF_8))));
        assertTrue(matches(table("s", new byte[]{1, 2}), table("s", new byte[]{1, 2})));
        assertTrue(matches(table("b", true), table("b", true)));
        assertFalse(matches(table("b", true), table("b", false)));
        assertTrue(matches(table("d", new BigDecimal("1.50")), table("d", new BigDecimal("1.50"))));
        assertFalse(matches(table("d", new BigDecimal("1.5")), table("d", new BigDecimal("1.50"))));
        assertTrue(matches(table("t", Instant.ofEpochSecond(1000)), table("t", 1000L)));
        assertTrue(matches(table("m", Map.of("k", 1)), table("m", Map.of("k", 1))));
        // nested tables compare with their types, as RabbitMQ's typed tuples do
        assertFalse(matches(table("m", Map.of("k", 1)), table("m", Map.of("k", 1L))));
        assertTrue(matches(table("l", List.of("a", 1)), table("l", List.of("a", 1))));
    }

    @Test
    void unrecognisedXMatchValueMeansAll() {
        // RabbitMQ validates new bindings, but treats legacy unvalidated values as "all"
        assertFalse(matches(table("x-match", new byte[]{'a', 'n', 'y'}, "a", 1, "b", 2), table("a", 1)));
        assertTrue(matches(table("x-match", new byte[]{'a', 'n', 'y'}, "a", 1, "b", 2), table("a", 1, "b", 2)));
    }

    @Test
    void validationUsesRabbitTexts() {
        HeadersRouter.validateBindingArguments(table("x-match", "any-with-x"));
        HeadersRouter.validateBindingArguments(Map.of());
        HeadersRouter.validateBindingArguments(null);
        AmqpException badValue = assertThrows(AmqpException.class,
                () -> HeadersRouter.validateBindingArguments(table("x-match", "some")));
        assertEquals(406, badValue.replyCode());
        assertEquals("PRECONDITION_FAILED - Invalid x-match field value <<\"some\">>; expected all, any, all-with-x, or any-with-x",
                badValue.replyText());
        AmqpException badType = assertThrows(AmqpException.class,
                () -> HeadersRouter.validateBindingArguments(table("x-match", 1)));
        assertEquals("PRECONDITION_FAILED - Invalid x-match field type signedint (value 1); expected longstr",
                badType.replyText());
    }

    @Test
    void severalBindingsRouteIndependentlyAndRemoveCleanly() {
        Binding toQ1 = Binding.toQueue("h", "q1", "", table("format", "pdf"));
        Binding toQ2 = Binding.toQueue("h", "q2", "", table("x-match", "any", "format", "pdf", "type", "report"));
        ExchangeRouter router = ExchangeRouter.empty(ExchangeType.HEADERS).add(toQ1).add(toQ2);
        Set<String> out = new TreeSet<>();
        router.route("", table("format", "pdf"), d -> out.add(d.name()));
        assertEquals(Set.of("q1", "q2"), out);
        out.clear();
        router.route("", table("type", "report"), d -> out.add(d.name()));
        assertEquals(Set.of("q2"), out);
        router = router.remove(Binding.toQueue("h", "q2", "", table("type", "report", "format", "pdf", "x-match", "any")));
        assertEquals(List.of(toQ1), List.copyOf(router.bindings()));
        assertFalse(router.usesRoutingKey());
    }
}
