package io.warren.core.routing;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BindingTest {

    @Test
    void sameBindingWhenAllFourPartsAreEqual() {
        assertEquals(Binding.toQueue("x", "q", "k", Map.of("a", 1, "b", "s")),
                Binding.toQueue("x", "q", "k", Map.of("b", "s", "a", 1)));
        assertEquals(Binding.toQueue("x", "q", "k", Map.of("a", 1)).hashCode(),
                Binding.toQueue("x", "q", "k", Map.of("a", 1)).hashCode());
        assertNotEquals(Binding.toQueue("x", "q", "k"), Binding.toQueue("x", "q", "k2"));
        assertNotEquals(Binding.toQueue("x", "q", "k"), Binding.toQueue("y", "q", "k"));
        assertNotEquals(Binding.toQueue("x", "q", "k"), Binding.toExchange("x", "q", "k"));
        assertNotEquals(Binding.toQueue("x", "q", "k"), Binding.toQueue("x", "q", "k", Map.of("a", 1)));
    }

    @Test
    void argumentsCompareWithTypesAndByteArraysByContent() {
        assertNotEquals(Binding.toQueue("x", "q", "k", Map.of("a", 1)), Binding.toQueue("x", "q", "k", Map.of("a", 1L)));
        Binding b1 = Binding.toQueue("x", "q", "k", Map.of("a", new byte[]{1, 2, 3}));
        Binding b2 = Binding.toQueue("x", "q", "k", Map.of("a", new byte[]{1, 2, 3}));
        assertEquals(b1, b2);
        assertEquals(b1.hashCode(), b2.hashCode());
        Binding nested1 = Binding.toQueue("x", "q", "k", Map.of("t", Map.of("z", new byte[]{9}), "l", List.of(new byte[]{8})));
        Binding nested2 = Binding.toQueue("x", "q", "k", Map.of("t", Map.of("z", new byte[]{9}), "l", List.of(new byte[]{8})));
        assertEquals(nested1, nested2);
        assertEquals(nested1.hashCode(), nested2.hashCode());
    }

    @Test
    void voidArgumentsAreKeptAndArgumentsAreACopy() {
        Map<String, Object> args = new HashMap<>();
        args.put("present", null);
        Binding b = Binding.toQueue("x", "q", "k", args);
        args.put("later", 1);
        assertTrue(b.arguments().containsKey("present"));
        assertEquals(1, b.arguments().size());
        assertThrows(UnsupportedOperationException.class, () -> b.arguments().put("y", 1));
        assertNotEquals(b, Binding.toQueue("x", "q", "k"));
        assertEquals(Map.of(), new Binding("x", Destination.queue("q"), "k", null).arguments());
    }
}
