package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.EncodedProperties;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A queue's rules read a message's properties from the bytes the publisher sent (here with an empty continuation
 * flag word, which Warren's own encoder never writes); it hands out those bytes unchanged, and only a change the
 * broker makes (dead-lettering) encodes them anew.
 */
class EncodedPropertiesInQueueTest {

    /** headers {n: 7}, delivery-mode 2, priority 4, expiration "50"; then a continuation word naming nothing. */
    private static final ByteString RAW = ByteString.fromArray(new byte[] {
            0x39, 0x01, 0x00, 0x00,
            0, 0, 0, 7, 1, 'n', 'I', 0, 0, 0, 7,
            2,
            4,
            2, '5', '0'});

    private static Message raw(String id) {
        return new Message(id, "", "q", EncodedProperties.read(RAW), ByteString.fromString("body"));
    }

    @Test
    void rulesReadTheBytesAsTheDecodedForm() {
        Message m = raw("m1");
        assertTrue(m.persistent());
        assertEquals(4, m.priority());
        assertEquals("50", m.encodedProperties().expiration());
        assertEquals(Map.of("n", 7), m.encodedProperties().headers());
        assertEquals(m.properties().priority(), m.priority());
        assertEquals(m.properties().persistent(), m.persistent());
        assertEquals(m.properties().headers(), m.encodedProperties().headers());
        // the same properties made by the broker are equal as a message only when the bytes are the same
        Message made = new Message("m1", "", "q", m.properties(), ByteString.fromString("body"));
        assertNotEquals(m, made, "Warren's encoding has no continuation word");
        assertEquals(made, new Message("m1", "", "q", EncodedProperties.read(made.encodedProperties().bytes()),
                ByteString.fromString("body")));
    }

    @Test
    void aDeliveryCarriesThePublishedBytesAndTheTtlComesFromThem() {
        QueueState q = queue(Map.of("x-max-priority", 10));
        q.publish(raw("m1"), 0);
        assertEquals(OptionalLong.of(50), q.nextDeadline(), "expiration read from the bytes");
        GetResult g = q.get("ch1", false, 10).orElseThrow();
        assertEquals(RAW, g.message().encodedProperties().bytes());
    }

    @Test
    void deadLetteringEncodesTheChangedProperties() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx"));
        q.publish(raw("m1"), 0);
        q.tick(50);
        List<QueueEffect.DeadLetter> dls = deadLetters(q.takeEffects());
        assertEquals(1, dls.size());
        Message dead = dls.get(0).message();
        assertNotEquals(RAW, dead.encodedProperties().bytes());
        assertNull(dead.encodedProperties().expiration(), "expiration removed");
        assertNotNull(dead.encodedProperties().headers().get("x-death"));
        assertEquals(7, dead.encodedProperties().headers().get("n"));
        // read back from its bytes (x-death's time then decodes as a wire timestamp, not the Date it was made with),
        // it encodes to the same bytes
        EncodedProperties back = EncodedProperties.read(dead.encodedProperties().bytes());
        assertEquals(dead.encodedProperties(), EncodedProperties.of(back.decoded()));
    }
}
