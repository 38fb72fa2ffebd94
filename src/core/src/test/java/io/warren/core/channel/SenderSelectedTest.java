package io.warren.core.channel;

import io.warren.amqp.EncodedProperties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SenderSelectedTest {

    @Test
    void ccAndBccAddRoutingKeysAfterThePublishedOne() {
        assertEquals(List.of("k"), SenderSelected.routingKeys("k", null));
        assertEquals(List.of("k"), SenderSelected.routingKeys("k", Map.of("other", "x")));
        assertEquals(List.of("k", "c1", "c2", "b1"),
                SenderSelected.routingKeys("k", Map.of("CC", List.of("c1", "c2"), "BCC", List.of("b1", 7))));
    }

    @Test
    void aCcHeaderThatIsNotAnArrayIsRefusedAsRabbitMqDoes() {
        AmqpException e = assertThrows(AmqpException.class, () -> SenderSelected.routingKeys("k", Map.of("CC", "c1")));
        assertEquals("PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,\"CC\",longstr}", e.replyText());
    }

    @Test
    void bccIsRemovedFromStoredPropertiesAndCcKept() {
        EncodedProperties p = EncodedProperties.of(BasicProperties.EMPTY.withHeaders(Map.of("CC", List.of("c"), "BCC", List.of("b"))));
        assertEquals(Map.of("CC", List.of("c")), SenderSelected.withoutBcc(p).headers());
        EncodedProperties noBcc = EncodedProperties.of(BasicProperties.EMPTY.withHeaders(Map.of("CC", List.of("c"))));
        assertSame(noBcc, SenderSelected.withoutBcc(noBcc));
    }
}
