package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * queue.declare arguments of the wrong type or out of range: 406 PRECONDITION_FAILED naming the argument, with
 * RabbitMQ's text {@code invalid arg 'x-...' for queue 'q' in vhost '/': <reason>}.
 */
class ArgumentValidationTest extends FeatureTest {
    ArgumentValidationTest(BrokerUnderTest broker) {
        super(broker);
    }

    /** key, value, RabbitMQ 3.13's reason, and 3.10's where it differs (the validation broker), else null. */
    static Stream<Arguments> invalidArguments() {
        return Stream.of(
                arguments("x-message-ttl", -1, "{value_negative,-1}", null),
                arguments("x-message-ttl", "1000", "\"expected integer, got longstr\"", "{unacceptable_type,longstr}"),
                arguments("x-message-ttl", 1.5, "\"expected integer, got double\"", "{unacceptable_type,double}"),
                arguments("x-expires", 0, "{value_zero,0}", null),
                arguments("x-expires", -10, "{value_negative,-10}", null),
                arguments("x-expires", "soon", "\"expected integer, got longstr\"", "{unacceptable_type,longstr}"),
                arguments("x-max-length", -1, "{value_negative,-1}", null),
                arguments("x-max-length", "10", "\"expected integer, got longstr\"", "{unacceptable_type,longstr}"),
                arguments("x-max-length-bytes", -1L, "{value_negative,-1}", null),
                arguments("x-max-length-bytes", true, "\"expected integer, got bool\"", "{unacceptable_type,bool}"),
                arguments("x-max-priority", -1, "{value_negative,-1}", null),
                arguments("x-max-priority", 256, "{max_value_exceeded,256}", null),
                arguments("x-max-priority", "high", "\"expected integer, got longstr\"", "{unacceptable_type,longstr}"),
                arguments("x-overflow", "drop-tail", "invalid_overflow", null),
                arguments("x-overflow", 1, "{unacceptable_type,signedint}", null),
                arguments("x-single-active-consumer", "yes", "{unacceptable_type,longstr}", null),
                arguments("x-queue-mode", "eager", "\"unsupported queue mode 'eager'\"", null));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidArguments")
    void invalidArgumentIsRefusedWith406NamingIt(String key, Object value, String reason, String reason310) throws Exception {
        String queue = Amqp.unique("args");
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.queueDeclare(queue, false, false, true, Map.of(key, value)));
        String prefix = "PRECONDITION_FAILED - invalid arg '" + key + "' for queue '" + queue + "' in vhost '/': ";
        String text = Amqp.replyText(signal);
        if (broker.isExternal() && reason310 != null && text.equals(prefix + reason310)) {
            return; // RabbitMQ 3.10's wording
        }
        assertEquals(prefix + reason, text);
        var check = connection.createChannel();
        Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, check, () -> check.queueDeclarePassive(queue));
    }

    @Test
    void deadLetterExchangeOfTheWrongTypeIsRefusedByTheChannelsOwnCheck() throws Exception {
        // rabbit_channel checks the DLX name (for permissions) before the queue validates its arguments
        String queue = Amqp.unique("args");
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.queueDeclare(queue, false, false, true,
                        Map.of("x-dead-letter-exchange", 5, "x-max-length", -1)));
        assertEquals("PRECONDITION_FAILED - invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue '"
                + queue + "' in vhost '/'", Amqp.replyText(signal));
    }

    @Test
    void messageTtlAboveTheTimerLimitIsRefused() throws Exception {
        // RabbitMQ 3.13 refuses TTLs above 2^32-1 ms; 3.10 (the validation broker) still accepted them.
        assumeFalse(broker.isExternal(), "RabbitMQ 3.10 accepts x-message-ttl above 2^32-1");
        String queue = Amqp.unique("args");
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.queueDeclare(queue, false, false, true, Map.of("x-message-ttl", 4294967296L)));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue '" + queue
                + "' in vhost '/': {value_too_big,4294967296}", Amqp.replyText(signal));
    }

    @Test
    void deadLetterRoutingKeyWithoutExchangeIsRefused() throws Exception {
        String queue = Amqp.unique("args");
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.queueDeclare(queue, false, false, true, Map.of("x-dead-letter-routing-key", "k")));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue '" + queue
                + "' in vhost '/': routing_key_but_no_dlx_defined", Amqp.replyText(signal));
    }

    @Test
    void validArgumentsOfAnyIntegerTypeAreAccepted() throws Exception {
        String queue = declareQueue("args", "x-message-ttl", (byte) 100, "x-max-length", (short) 10,
                "x-max-length-bytes", 1000L, "x-max-priority", 10, "x-expires", 60_000,
                "x-overflow", "reject-publish-dlx", "x-dead-letter-exchange", "", "x-single-active-consumer", false,
                "x-queue-mode", "lazy");
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
    }

    @Test
    void redeclareWithADifferentArgumentIsRefused() throws Exception {
        String queue = declareQueue("args", "x-max-length", 10);
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.queueDeclare(queue, false, false, false, Map.of("x-max-length", 20)));
        String prefix = "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '" + queue + "' in vhost '/': ";
        if (broker.isExternal() && Amqp.replyText(signal).equals(prefix + "received '20' but current is '10'")) {
            return; // RabbitMQ 3.10's wording; 3.13 names the values' types
        }
        assertEquals(prefix + "received the value '20' of type 'signedint' but current is the value '10' "
                + "of type 'signedint'", Amqp.replyText(signal));
    }

    @Test
    void redeclareWithAnotherIntegerTypeOfTheSameValueIsAccepted() throws Exception {
        String queue = declareQueue("args", "x-max-length", 10);
        channel.queueDeclare(queue, false, false, false, Map.of("x-max-length", 10L));
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
    }
}
