package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.method.*;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopologyRulesTest {

    private static ExchangeDeclare declare(String name, String type, boolean passive, boolean noWait, Map<String, Object> args) {
        return new ExchangeDeclare(name, type, passive, true, false, false, noWait, args);
    }

    @Test
    void theDefaultExchangeCannotBeDeclaredOrDeleted() {
        AmqpException e = assertThrows(AmqpException.class, () -> TopologyRules.checkNotDefault(""));
        assertEquals(403, e.replyCode());
        assertEquals("ACCESS_REFUSED - operation not permitted on the default exchange", e.replyText());
        assertEquals(403, assertThrows(AmqpException.class, () -> TopologyRules.checkExchangeDelete("", "/")).replyCode());
        TopologyRules.checkNotDefault("x");
    }

    @Test
    void aSystemExchangeCannotBeDeleted() {
        AmqpException e = assertThrows(AmqpException.class, () -> TopologyRules.checkExchangeDelete("amq.direct", "/"));
        assertEquals(403, e.replyCode());
        assertEquals("ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed", e.replyText());
        TopologyRules.checkExchangeDelete("mine", "/");
    }

    @Test
    void aPassiveDeclareAnswersWhenTheExchangeExistsElse404() {
        assertInstanceOf(ExchangeDeclareOk.class, TopologyRules.passiveExchangeDeclare(declare("x", "", true, false, null), true, "/"));
        assertNull(TopologyRules.passiveExchangeDeclare(declare("x", "", true, true, null), true, "/"));
        AmqpException e = assertThrows(AmqpException.class,
                () -> TopologyRules.passiveExchangeDeclare(declare("x", "", true, false, null), false, "/"));
        assertEquals(404, e.replyCode());
        assertEquals("NOT_FOUND - no exchange 'x' in vhost '/'", e.replyText());
    }

    @Test
    void anUnknownTypeIsAConnectionError503AttributedToTheDeclare() {
        ExchangeDeclare d = declare("x", "no-such-type", false, false, null);
        AmqpException e = assertThrows(AmqpException.class, () -> TopologyRules.exchangeType(d));
        assertEquals(503, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals(ExchangeDeclare.CLASS_ID, e.classId());
        assertEquals(ExchangeDeclare.METHOD_ID, e.methodId());
        assertEquals(ExchangeType.TOPIC, TopologyRules.exchangeType(declare("x", "topic", false, false, null)));
    }

    @Test
    void theDefinitionCarriesTheDeclaresFlagsAndCheckedArguments() {
        ExchangeDefinition def = TopologyRules.exchangeDefinition(declare("x", "fanout", false, false, null), ExchangeType.FANOUT, "/");
        assertEquals(new ExchangeDefinition("x", ExchangeType.FANOUT, true, false, false, Map.of()), def);
        AmqpException e = assertThrows(AmqpException.class, () -> TopologyRules.exchangeDefinition(
                declare("x", "fanout", false, false, Map.of("alternate-exchange", 5)), ExchangeType.FANOUT, "/"));
        assertEquals(406, e.replyCode());
    }

    @Test
    void anExistingExchangeMustBeEquivalentAndANewOneMustNotBeReserved() {
        ExchangeDefinition topic = new ExchangeDefinition("x", ExchangeType.TOPIC, true, false, false, Map.of());
        ExchangeDefinition direct = new ExchangeDefinition("x", ExchangeType.DIRECT, true, false, false, Map.of());
        assertTrue(TopologyRules.exchangeExists(topic, Optional.of(topic), "/"));
        assertEquals(406, assertThrows(AmqpException.class,
                () -> TopologyRules.exchangeExists(topic, Optional.of(direct), "/")).replyCode());
        assertFalse(TopologyRules.exchangeExists(topic, Optional.empty(), "/"));
        ExchangeDefinition reserved = new ExchangeDefinition("amq.mine", ExchangeType.TOPIC, true, false, false, Map.of());
        AmqpException e = assertThrows(AmqpException.class, () -> TopologyRules.exchangeExists(reserved, Optional.empty(), "/"));
        assertEquals(403, e.replyCode());
        // an existing amq.* exchange (amq.topic) may be declared again
        assertTrue(TopologyRules.exchangeExists(reserved, Optional.of(reserved), "/"));
    }

    @Test
    void bindingsNeverTouchTheDefaultExchange() {
        assertEquals(403, assertThrows(AmqpException.class, () -> TopologyRules.exchangeBinding("", "src", "k", null)).replyCode());
        assertEquals(403, assertThrows(AmqpException.class, () -> TopologyRules.exchangeBinding("dst", "", "k", null)).replyCode());
        assertEquals(403, assertThrows(AmqpException.class, () -> TopologyRules.queueBinding("q", "", "k", null)).replyCode());
        assertEquals(new Binding("src", Destination.exchange("dst"), "k", Map.of()), TopologyRules.exchangeBinding("dst", "src", "k", null));
        assertEquals(new Binding("x", Destination.queue("q"), "k", Map.of("a", 1)), TopologyRules.queueBinding("q", "x", "k", Map.of("a", 1)));
    }

    @Test
    void aQueueDeclaresArgumentsAreCheckedUnlessPassive() {
        QueueDeclare bad = new QueueDeclare("q", false, true, false, false, false, Map.of("x-max-length", -1));
        assertEquals(406, assertThrows(AmqpException.class, () -> TopologyRules.queueDefinition(bad, "q", "/")).replyCode());
        QueueDeclare passive = new QueueDeclare("q", true, true, false, false, false, Map.of("x-max-length", -1));
        QueueDefinition def = TopologyRules.queueDefinition(passive, "q", "/");
        assertEquals("q", def.name());
        assertEquals("/", def.vhost());
        QueueDeclare generated = new QueueDeclare("", false, false, true, true, false, null);
        QueueDefinition named = TopologyRules.queueDefinition(generated, "amq.gen-abc", "v");
        assertEquals(new QueueDefinition("v", "amq.gen-abc", false, true, true, Map.of()), named);
    }

    @Test
    void onlyANonPassiveExclusiveDeclareTakesOwnership() {
        assertTrue(TopologyRules.takesOwnership(new QueueDeclare("q", false, false, true, false, false, null)));
        assertFalse(TopologyRules.takesOwnership(new QueueDeclare("q", true, false, true, false, false, null)));
        assertFalse(TopologyRules.takesOwnership(new QueueDeclare("q", false, false, false, false, false, null)));
    }

    @Test
    void queueOksCarryTheQueuesCountsAndNoWaitSendsNone() {
        assertEquals(new QueueDeclareOk("q", 3, 2), TopologyRules.queueDeclareOk(new QueueDeclare("q", false, false, false, false, false, null), "q", 3, 2));
        assertNull(TopologyRules.queueDeclareOk(new QueueDeclare("q", false, false, false, false, true, null), "q", 3, 2));
        assertEquals(new QueuePurgeOk(7), TopologyRules.queuePurgeOk(new QueuePurge("q", false), 7));
        assertNull(TopologyRules.queuePurgeOk(new QueuePurge("q", true), 7));
        assertEquals(new QueueDeleteOk(9), TopologyRules.queueDeleteOk(new QueueDelete("q", false, false, false), 9));
        assertNull(TopologyRules.queueDeleteOk(new QueueDelete("q", false, false, true), 9));
    }

    @Test
    void eachTopologyChangeGetsItsOwnOk() {
        assertInstanceOf(ExchangeDeclareOk.class, TopologyRules.okWhenDone(declare("x", "topic", false, false, null)));
        assertInstanceOf(ExchangeDeleteOk.class, TopologyRules.okWhenDone(new ExchangeDelete("x", false, false)));
        assertInstanceOf(ExchangeBindOk.class, TopologyRules.okWhenDone(new ExchangeBind("d", "s", "k", false, null)));
        assertInstanceOf(ExchangeUnbindOk.class, TopologyRules.okWhenDone(new ExchangeUnbind("d", "s", "k", false, null)));
        assertInstanceOf(QueueBindOk.class, TopologyRules.okWhenDone(new QueueBind("q", "x", "k", false, null)));
        // queue.unbind has no no-wait flag: always answered
        assertInstanceOf(QueueUnbindOk.class, TopologyRules.okWhenDone(new QueueUnbind("q", "x", "k", null)));
        assertNull(TopologyRules.okWhenDone(declare("x", "topic", false, true, null)));
        assertNull(TopologyRules.okWhenDone(new ExchangeDelete("x", false, true)));
        assertNull(TopologyRules.okWhenDone(new ExchangeBind("d", "s", "k", true, null)));
        assertNull(TopologyRules.okWhenDone(new ExchangeUnbind("d", "s", "k", true, null)));
        assertNull(TopologyRules.okWhenDone(new QueueBind("q", "x", "k", true, null)));
        assertThrows(IllegalArgumentException.class, () -> TopologyRules.okWhenDone(new QueuePurge("q", false)));
    }
}
