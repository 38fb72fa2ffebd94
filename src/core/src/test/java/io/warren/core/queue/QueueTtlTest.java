package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class QueueTtlTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");

    @Test
    void queueTtlExpiresAtTheHeadWithNoConsumers() {
        QueueState q = queue(Map.of("x-message-ttl", 100));
        q.publish(msg("m1"), 0);
        q.publish(msg("m2"), 50);
        assertEquals(OptionalLong.of(100), q.nextDeadline());
        q.tick(99);
        assertEquals(2, q.messageCount());
        q.tick(100);
        assertEquals(1, q.messageCount());
        assertEquals(OptionalLong.of(150), q.nextDeadline());
        q.tick(150);
        assertEquals(0, q.messageCount());
        assertEquals(OptionalLong.empty(), q.nextDeadline());
    }

    @Test
    void perMessageTtlAndQueueTtlTheLowerWins() {
        QueueState longQueueTtl = queue(Map.of("x-message-ttl", 1000));
        longQueueTtl.publish(withExpiration("m", "50"), 0);
        assertEquals(OptionalLong.of(50), longQueueTtl.nextDeadline());

        QueueState shortQueueTtl = queue(Map.of("x-message-ttl", 50));
        shortQueueTtl.publish(withExpiration("m", "1000"), 0);
        assertEquals(OptionalLong.of(50), shortQueueTtl.nextDeadline());

        QueueState onlyMessageTtl = queue(Map.of());
        onlyMessageTtl.publish(withExpiration("m", "70"), 10);
        assertEquals(OptionalLong.of(80), onlyMessageTtl.nextDeadline());
    }

    @Test
    void anExpiredMessageIsNeverDeliveredEvenBehindTheHead() {
        QueueState q = queue(Map.of());
        q.publish(msg("m0"), 0); // no TTL: keeps m1 from expiring at the head
        q.publish(withExpiration("m1", "10"), 0);
        q.publish(msg("m2"), 0);
        q.tick(20);
        assertEquals(3, q.messageCount(), "RabbitMQ only expires at the head");
        q.addConsumer(A, true, 0, 0, false);
        q.deliver(20);
        assertEquals(List.of("m0", "m2"), ids(deliveries(q.takeEffects())));
        assertEquals(0, q.messageCount());
    }

    @Test
    void basicGetSkipsExpiredMessages() {
        QueueState q = queue(Map.of());
        q.publish(withExpiration("m1", "10"), 0);
        q.publish(msg("m2"), 0);
        GetResult g = q.get("ch1", true, 10).orElseThrow();
        assertEquals("m2", g.message().id());
        assertEquals(0, g.messageCountAfter());
    }

    @Test
    void ttlZeroIsDeliveredToAWaitingConsumerElseDropped() {
        QueueState noConsumer = queue(Map.of("x-message-ttl", 0));
        noConsumer.publish(msg("m1"), 5);
        assertEquals(0, noConsumer.messageCount());

        QueueState withConsumer = queue(Map.of("x-message-ttl", 0));
        withConsumer.addConsumer(A, true, 0, 0, false);
        withConsumer.publish(msg("m1"), 5);
        assertEquals(List.of("m1"), ids(deliveries(withConsumer.takeEffects())));
    }

    @Test
    void aRequeuedMessageKeepsItsOriginalExpiry() {
        QueueState q = queue(Map.of("x-message-ttl", 100));
        q.publish(msg("m1"), 0);
        GetResult g = q.get("ch1", false, 50).orElseThrow();
        q.tick(150);
        assertEquals(1, q.unackedCount(), "unacked messages do not expire");
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        assertEquals(OptionalLong.of(100), q.nextDeadline());
        q.tick(150);
        assertEquals(0, q.messageCount());
    }

    @Test
    void expiryDeadLettersWithReasonExpiredWhenADlxIsSet() {
        QueueState q = queue(Map.of("x-message-ttl", 10, "x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1"), 0);
        q.takeEffects();
        q.tick(10);
        List<QueueEffect.DeadLetter> dls = deadLetters(q.takeEffects());
        assertEquals(1, dls.size());
        assertEquals("expired", dls.get(0).message().properties().headers().get("x-first-death-reason"));
    }

    @Test
    void priorityQueueExpiresEachPriorityHead() {
        QueueState q = queue(Map.of("x-max-priority", 5));
        q.publish(withPriority("low", 1), 0);
        q.publish(msg("high-ttl", new io.warren.amqp.BasicProperties(null, null, null, null, 5, null, null, "10",
                null, null, null, null, null, null)), 0);
        assertEquals(OptionalLong.of(10), q.nextDeadline());
        q.tick(10);
        assertEquals(1, q.messageCount());
        assertEquals("low", q.get("ch1", true, 10).orElseThrow().message().id());
    }

    @Test
    void invalidExpirationTextsMatchRabbitMq() {
        assertDoesNotThrow(() -> QueueState.validateExpiration(null));
        assertDoesNotThrow(() -> QueueState.validateExpiration("0"));
        assertDoesNotThrow(() -> QueueState.validateExpiration("4294967295"));
        assertExpirationError("abc", "PRECONDITION_FAILED - invalid expiration 'abc': no_integer");
        assertExpirationError("", "PRECONDITION_FAILED - invalid expiration '': no_integer");
        assertExpirationError("-1", "PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}");
        assertExpirationError("10s", "PRECONDITION_FAILED - invalid expiration '10s': {leftover_string,\"s\"}");
        assertExpirationError("4294967296",
                "PRECONDITION_FAILED - invalid expiration '4294967296': {value_too_big,4294967296}");
    }

    private static void assertExpirationError(String expiration, String text) {
        io.warren.amqp.AmqpException e = assertThrows(io.warren.amqp.AmqpException.class,
                () -> QueueState.validateExpiration(expiration));
        assertEquals(406, e.replyCode());
        assertEquals(text, e.replyText());
    }

    @Test
    void xExpiresCountsFromLastUseWhileUnused() {
        QueueDefinition d = def(false, Map.of("x-expires", 1000));
        QueueState q = new QueueState(d, QueueArguments.parse(d), 0);
        assertEquals(OptionalLong.of(1000), q.nextDeadline());
        assertFalse(q.expiresAt(999));
        assertTrue(q.expiresAt(1000));

        q.publish(msg("m1"), 900); // publishing is not use
        assertTrue(q.expiresAt(1000));

        q.addConsumer(A, true, 0, 0, false);
        assertFalse(q.expiresAt(5000), "a queue with consumers is in use");
        q.cancelConsumer(A, 1500);
        assertFalse(q.expiresAt(2499));
        assertTrue(q.expiresAt(2500));

        q.get("ch1", true, 2000);
        assertFalse(q.expiresAt(2999));
        assertTrue(q.expiresAt(3000));

        q.touch(2800); // redeclare
        assertFalse(q.expiresAt(3799));
        assertEquals(2800, q.lastUsed());
        assertEquals(OptionalLong.of(3800), q.nextDeadline());
    }
}
