package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChannelConsumersTest {

    private final ChannelConsumers consumers = new ChannelConsumers();

    @Test
    void anEmptyTagGetsAGeneratedOne() {
        String tag = consumers.tagFor("");
        assertTrue(tag.matches("amq\\.ctag-[0-9a-f]{22}"), tag);
        assertEquals("mine", consumers.tagFor("mine"));
    }

    @Test
    void aTagInUseIs530() {
        consumers.add(new ChannelConsumers.Consumer("t", "q", false, 0, false, 0));
        AmqpException e = assertThrows(AmqpException.class, () -> consumers.tagFor("t"));
        assertEquals(530, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals("NOT_ALLOWED - attempt to reuse consumer tag 't'", e.replyText());
    }

    @Test
    void consumersAreFoundByTagAndByQueue() {
        consumers.add(new ChannelConsumers.Consumer("a", "q1", false, 0, false, 0));
        consumers.add(new ChannelConsumers.Consumer("b", "q2", true, 0, false, 0));
        consumers.add(new ChannelConsumers.Consumer("c", "q1", false, 5, false, 0));
        assertEquals(Set.of("a", "c"), consumers.on("q1"));
        assertTrue(consumers.consumes("b", "q2"));
        assertFalse(consumers.consumes("b", "q1"));
        assertEquals(5, consumers.remove("c").ownLimit());
        assertNull(consumers.get("c"));
        assertNull(consumers.remove("c"));
    }

    @Test
    void priorityIsAnIntegerArgument() {
        assertEquals(0, ChannelConsumers.priority(null));
        assertEquals(0, ChannelConsumers.priority(Map.of()));
        assertEquals(3, ChannelConsumers.priority(Map.of("x-priority", 3)));
        assertEquals(-2, ChannelConsumers.priority(Map.of("x-priority", (short) -2)));
        AmqpException e = assertThrows(AmqpException.class, () -> ChannelConsumers.priority(Map.of("x-priority", "high")));
        assertEquals(406, e.replyCode());
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-priority' for consumer: not an integer", e.replyText());
    }
}
