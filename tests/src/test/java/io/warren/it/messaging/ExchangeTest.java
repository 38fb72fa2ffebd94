package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExchangeTest extends ConnectedTest {
    ExchangeTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void defaultExchangeCannotBeDeclaredDeletedOrBoundTo() throws Exception {
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, channel, () -> channel.exchangeDeclare("", "direct"));
        Channel second = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, second, () -> second.exchangeDelete(""));
        Channel third = connection.createChannel();
        String queue = third.queueDeclare().getQueue();
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, third, () -> third.queueBind(queue, "", queue));
        Channel fourth = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, fourth, () -> fourth.queueUnbind(queue, "", queue));
        assertTrue(connection.isOpen());
    }

    @Test
    void amqPrefixIsReserved() throws Exception {
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, channel,
                () -> channel.exchangeDeclare("amq.it-" + System.nanoTime(), "direct"));
        Channel second = connection.createChannel();
        for (String name : List.of("amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match")) {
            second.exchangeDeclarePassive(name);
        }
        // RabbitMQ checks the prefix only when it would create the exchange: redeclaring a predeclared
        // one with equivalent properties is fine, a different type is a mismatch.
        second.exchangeDeclare("amq.direct", "direct", true);
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, second, () -> second.exchangeDeclare("amq.direct", "fanout", true));
    }

    @Test
    void redeclareWithSameArgumentsIsFineButMismatchIsPreconditionFailed() throws Exception {
        String name = Amqp.unique("x.redeclare");
        channel.exchangeDeclare(name, "direct", false, true, null);
        channel.exchangeDeclare(name, "direct", false, true, null);
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.exchangeDeclare(name, "fanout", false, true, null));
        Channel second = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, second, () -> second.exchangeDeclare(name, "direct", true, true, null));
        Channel third = connection.createChannel();
        third.exchangeDelete(name);
    }

    @Test
    void passiveDeclareOfMissingExchangeIsNotFound() {
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.exchangeDeclarePassive(Amqp.unique("x.missing")));
    }

    @Test
    void unknownExchangeTypeClosesTheConnectionWithCommandInvalid() {
        // 503 is a hard error: RabbitMQ closes the connection, not just the channel.
        Amqp.assertConnectionClosedBy(AMQP.COMMAND_INVALID, channel,
                () -> channel.exchangeDeclare(Amqp.unique("x.badtype"), "no-such-type"));
    }

    @Test
    void deleteIfUnusedRefusesAnExchangeWithBindings() throws Exception {
        String exchange = Amqp.unique("x.used");
        channel.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT);
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, exchange, "k");
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, () -> channel.exchangeDelete(exchange, true));
        Channel second = connection.createChannel();
        second.exchangeDeclarePassive(exchange);
        second.queueUnbind(queue, exchange, "k");
        second.exchangeDelete(exchange, true);
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, second, () -> second.exchangeDeclarePassive(exchange));
    }

    @Test
    void deletingAMissingExchangeIsNotAnError() throws Exception {
        channel.exchangeDelete(Amqp.unique("x.never"));
        String name = Amqp.unique("x.twice");
        channel.exchangeDeclare(name, "fanout");
        channel.exchangeDelete(name);
        channel.exchangeDelete(name);
        assertTrue(channel.isOpen());
    }

    @Test
    void autoDeleteExchangeGoesWithItsLastBinding() throws Exception {
        String exchange = Amqp.unique("x.auto");
        channel.exchangeDeclare(exchange, "direct", false, true, null);
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, exchange, "a");
        channel.queueBind(queue, exchange, "b");
        channel.queueUnbind(queue, exchange, "a");
        channel.exchangeDeclarePassive(exchange);
        channel.queueUnbind(queue, exchange, "b");
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel, () -> channel.exchangeDeclarePassive(exchange));
    }

    @Test
    void publishingToAnInternalExchangeIsAccessRefused() throws Exception {
        String exchange = Amqp.unique("x.internal");
        channel.exchangeDeclare(exchange, "fanout", false, true, true, Map.of());
        Amqp.assertChannelClosedBy(AMQP.ACCESS_REFUSED, channel,
                () -> channel.basicPublish(exchange, "", null, bytes("x")));
        connection.createChannel().exchangeDelete(exchange);
    }

    @Test
    void publishingToAMissingExchangeIsNotFound() throws Exception {
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel,
                () -> channel.basicPublish(Amqp.unique("x.missing"), "", null, bytes("x")));
        assertEquals(true, connection.isOpen());
    }
}
