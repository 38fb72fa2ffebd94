package io.warren.core.queue;

import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueArgumentsTest {

    private static QueueArguments parse(Map<String, Object> args) {
        return QueueArguments.parse("/", "q", args);
    }

    private static void assertInvalid(Map<String, Object> args, String detail) {
        AmqpException e = assertThrows(AmqpException.class, () -> parse(args));
        assertEquals(406, e.replyCode());
        assertFalse(e.connectionLevel());
        assertEquals("PRECONDITION_FAILED - " + detail, e.replyText());
    }

    @Test
    void readsEveryArgument() {
        Map<String, Object> args = new HashMap<>();
        args.put("x-message-ttl", 1000);
        args.put("x-expires", 60000L);
        args.put("x-max-length", (short) 10);
        args.put("x-max-length-bytes", (byte) 100);
        args.put("x-overflow", "reject-publish-dlx");
        args.put("x-dead-letter-exchange", "dlx");
        args.put("x-dead-letter-routing-key", "dead");
        args.put("x-max-priority", 10);
        args.put("x-single-active-consumer", true);
        args.put("x-queue-type", "classic");
        args.put("x-queue-mode", "lazy");
        args.put("x-consumer-timeout", 5000);
        QueueArguments a = parse(args);
        assertEquals(1000L, a.messageTtl());
        assertEquals(60000L, a.expires());
        assertEquals(10L, a.maxLength());
        assertEquals(100L, a.maxLengthBytes());
        assertEquals(Overflow.REJECT_PUBLISH_DLX, a.overflow());
        assertEquals("dlx", a.deadLetterExchange());
        assertEquals("dead", a.deadLetterRoutingKey());
        assertEquals(10, a.maxPriority());
        assertTrue(a.singleActiveConsumer());
        assertEquals("lazy", a.queueMode());
        assertEquals(5000L, a.consumerTimeout());
        assertTrue(a.isPriorityQueue());
    }

    @Test
    void defaults() {
        QueueArguments a = parse(Map.of());
        assertEquals(Overflow.DROP_HEAD, a.overflow());
        assertNull(a.messageTtl());
        assertFalse(a.isPriorityQueue());
        assertFalse(a.singleActiveConsumer());
        assertFalse(parse(Map.of("x-max-priority", 0)).isPriorityQueue());
    }

    @Test
    void bytesAreAcceptedAsStrings() {
        assertEquals("dlx", parse(Map.of("x-dead-letter-exchange", "dlx".getBytes())).deadLetterExchange());
    }

    @Test
    void integerRangesAndTypes() {
        assertInvalid(Map.of("x-max-length", -1),
                "invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}");
        assertInvalid(Map.of("x-max-length-bytes", -5L),
                "invalid arg 'x-max-length-bytes' for queue 'q' in vhost '/': {value_negative,-5}");
        assertInvalid(Map.of("x-max-length", "10"),
                "invalid arg 'x-max-length' for queue 'q' in vhost '/': \"expected integer, got longstr\"");
        assertInvalid(Map.of("x-message-ttl", 1.5),
                "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got double\"");
        assertInvalid(Map.of("x-message-ttl", -1),
                "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}");
        assertInvalid(Map.of("x-message-ttl", 4294967296L),
                "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_too_big,4294967296}");
        assertEquals(0L, parse(Map.of("x-message-ttl", 0)).messageTtl());
    }

    @Test
    void expiresMustBePositive() {
        assertInvalid(Map.of("x-expires", 0), "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}");
        assertInvalid(Map.of("x-expires", -10),
                "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_negative,-10}");
        assertInvalid(Map.of("x-expires", true),
                "invalid arg 'x-expires' for queue 'q' in vhost '/': \"expected integer, got bool\"");
    }

    @Test
    void maxPriorityRange() {
        assertEquals(255, parse(Map.of("x-max-priority", 255)).maxPriority());
        assertInvalid(Map.of("x-max-priority", 256),
                "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,256}");
        assertInvalid(Map.of("x-max-priority", -1),
                "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {value_negative,-1}");
    }

    @Test
    void deadLetterArguments() {
        assertInvalid(Map.of("x-dead-letter-routing-key", "rk"),
                "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined");
        // the channel's DLX name check, in its own words (rabbit_channel, before the queue's validators)
        assertInvalid(Map.of("x-dead-letter-exchange", 5),
                "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'");
        assertInvalid(Map.of("x-dead-letter-exchange", "dlx", "x-dead-letter-routing-key", 5L),
                "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': {unacceptable_type,long}");
        assertEquals("", parse(Map.of("x-dead-letter-exchange", "")).deadLetterExchange(), "default exchange");
    }

    @Test
    void aDeadLetterExchangeOfTheWrongTypeIsReportedBeforeEveryOtherArgument() {
        // x-expires comes first in RabbitMQ's declare order, but the channel checks the DLX name before that
        assertInvalid(Map.of("x-expires", 0, "x-dead-letter-exchange", true),
                "invalid type 'bool' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'");
    }

    @Test
    void overflowModes() {
        assertEquals(Overflow.DROP_HEAD, parse(Map.of("x-overflow", "drop-head")).overflow());
        assertEquals(Overflow.REJECT_PUBLISH, parse(Map.of("x-overflow", "reject-publish")).overflow());
        assertInvalid(Map.of("x-overflow", "drop-tail"),
                "invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow");
        assertInvalid(Map.of("x-overflow", 1),
                "invalid arg 'x-overflow' for queue 'q' in vhost '/': {unacceptable_type,signedint}");
    }

    @Test
    void singleActiveConsumerMustBeBoolean() {
        assertInvalid(Map.of("x-single-active-consumer", "true"),
                "invalid arg 'x-single-active-consumer' for queue 'q' in vhost '/': {unacceptable_type,longstr}");
    }

    @Test
    void classicAndQuorumQueuesAreSupported() {
        assertEquals(QueueType.QUORUM, parse(Map.of("x-queue-type", "quorum")).queueType());
        assertEquals(QueueType.CLASSIC, parse(Map.of("x-queue-type", "classic")).queueType());
        assertInvalid(Map.of("x-queue-type", "stream"),
                "invalid arg 'x-queue-type' for queue 'q' in vhost '/': \"unsupported queue type 'stream'\"");
        assertInvalid(Map.of("x-queue-type", "foo"),
                "invalid arg 'x-queue-type' for queue 'q' in vhost '/': \"unsupported queue type 'foo'\"");
    }

    @Test
    void queueMode() {
        assertInvalid(Map.of("x-queue-mode", "eager"),
                "invalid arg 'x-queue-mode' for queue 'q' in vhost '/': \"unsupported queue mode 'eager'\"");
    }

    @Test
    void firstInvalidArgumentInRabbitMqOrderIsReported() {
        Map<String, Object> args = new HashMap<>();
        args.put("x-max-length", -1);
        args.put("x-expires", 0);
        assertInvalid(args, "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}");
    }

    @Test
    void unknownArgumentsAreIgnored() {
        assertEquals(QueueArguments.NONE, parse(Map.of("x-custom", "whatever", "x-queue-version", 2)));
    }

    @Test
    void errorsNameTheQueueAndVhost() {
        AmqpException e = assertThrows(AmqpException.class,
                () -> QueueArguments.parse(new QueueDefinition("vh", "orders", true, false, false,
                        Map.of("x-max-length", -2))));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'orders' in vhost 'vh': "
                + "{value_negative,-2}", e.replyText());
    }
}
