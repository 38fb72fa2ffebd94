package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExchangeDefinitionTest {

    private static ExchangeDefinition def(ExchangeType type, boolean durable, boolean autoDelete, boolean internal,
                                          Map<String, Object> args) {
        return new ExchangeDefinition("x", type, durable, autoDelete, internal, args);
    }

    private static String failure(ExchangeDefinition current, ExchangeDefinition requested) {
        AmqpException e = assertThrows(AmqpException.class, () -> current.checkEquivalent(requested, "/"));
        assertEquals(406, e.replyCode());
        return e.replyText();
    }

    @Test
    void typeAndFlagsAreComparedInRabbitOrderWithRabbitTexts() {
        ExchangeDefinition current = def(ExchangeType.DIRECT, false, false, false, Map.of());
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'direct'",
                failure(current, def(ExchangeType.FANOUT, true, true, true, Map.of())));
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'x' in vhost '/': received 'true' but current is 'false'",
                failure(current, def(ExchangeType.DIRECT, true, true, false, Map.of())));
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'auto_delete' for exchange 'x' in vhost '/': received 'true' but current is 'false'",
                failure(current, def(ExchangeType.DIRECT, false, true, true, Map.of())));
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'internal' for exchange 'x' in vhost '/': received 'true' but current is 'false'",
                failure(current, def(ExchangeType.DIRECT, false, false, true, Map.of())));
        assertDoesNotThrow(() -> current.checkEquivalent(def(ExchangeType.DIRECT, false, false, false, Map.of()), "/"));
    }

    @Test
    void alternateExchangeIsTheOnlyComparedArgument() {
        ExchangeDefinition withAe = def(ExchangeType.TOPIC, true, false, false, Map.of("alternate-exchange", "ae1", "other", 1));
        assertDoesNotThrow(() -> withAe.checkEquivalent(def(ExchangeType.TOPIC, true, false, false,
                Map.of("alternate-exchange", "ae1", "other", 2, "more", "x")), "vh"));
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost 'vh': "
                        + "received the value 'ae2' of type 'longstr' but current is the value 'ae1' of type 'longstr'",
                assertThrows(AmqpException.class, () -> withAe.checkEquivalent(
                        def(ExchangeType.TOPIC, true, false, false, Map.of("alternate-exchange", "ae2")), "vh")).replyText());
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': "
                        + "received none but current is the value 'ae1' of type 'longstr'",
                failure(withAe, def(ExchangeType.TOPIC, true, false, false, Map.of())));
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': "
                        + "received the value 'ae1' of type 'longstr' but current is none",
                failure(def(ExchangeType.TOPIC, true, false, false, Map.of()), withAe));
    }

    @Test
    void alternateExchangeMustBeAString() {
        ExchangeDefinition.validateArguments(Map.of("alternate-exchange", "ae"));
        ExchangeDefinition.validateArguments(Map.of("anything", 1));
        ExchangeDefinition.validateArguments(null);
        AmqpException e = assertThrows(AmqpException.class,
                () -> ExchangeDefinition.validateArguments(Map.of("alternate-exchange", 5)));
        assertEquals(406, e.replyCode());
        assertEquals("PRECONDITION_FAILED - invalid type 'signedint' for arg 'alternate-exchange'", e.replyText());
        assertEquals("PRECONDITION_FAILED - invalid type 'binary' for arg 'alternate-exchange' in exchange 'x' in vhost '/'",
                assertThrows(AmqpException.class, () -> ExchangeDefinition.validateArguments(
                        Map.of("alternate-exchange", new byte[]{1}), "x", "/")).replyText());
    }

    @Test
    void alternateExchangeAccessor() {
        assertEquals(Optional.of("ae"), def(ExchangeType.DIRECT, true, false, false, Map.of("alternate-exchange", "ae")).alternateExchange());
        assertEquals(Optional.empty(), def(ExchangeType.DIRECT, true, false, false, Map.of()).alternateExchange());
        assertEquals(Optional.empty(), def(ExchangeType.DIRECT, true, false, false, Map.of("alternate-exchange", 3)).alternateExchange());
    }

    @Test
    void exchangeTypesParseByExactWireName() {
        for (ExchangeType type : ExchangeType.values()) {
            assertEquals(Optional.of(type), ExchangeType.parse(type.wireName()));
        }
        assertEquals("direct", ExchangeType.DIRECT.wireName());
        assertEquals("headers", ExchangeType.HEADERS.wireName());
        assertEquals(Optional.empty(), ExchangeType.parse("foo"));
        assertEquals(Optional.empty(), ExchangeType.parse("Direct"));
        assertEquals(Optional.empty(), ExchangeType.parse("x-consistent-hash"));
        AmqpException invalid = ExchangeType.invalidType("foo");
        assertEquals(503, invalid.replyCode());
        assertEquals("COMMAND_INVALID - invalid exchange type 'foo'", invalid.replyText());
        AmqpException unknown = assertThrows(AmqpException.class, () -> ExchangeType.parseOrThrow("foo"));
        assertEquals(503, unknown.replyCode());
        assertEquals("COMMAND_INVALID - unknown exchange type 'foo'", unknown.replyText());
        assertEquals(ExchangeType.TOPIC, ExchangeType.parseOrThrow("topic"));
    }
}
