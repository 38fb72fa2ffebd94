package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Quorum queues as RabbitMQ 3.10 declares and runs them (each text checked against the installed server). */
class QuorumQueueTest {

    private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");

    private static Map<String, Object> quorum(Object... kv) {
        Map<String, Object> args = new HashMap<>(QUORUM);
        for (int i = 0; i < kv.length; i += 2) args.put((String) kv[i], kv[i + 1]);
        return args;
    }

    private static QueueState quorumQueue(Map<String, Object> args) {
        QueueDefinition d = new QueueDefinition("/", "q", true, false, false, args);
        return new QueueState(d, QueueArguments.parse(d), 0);
    }

    private static String refusal(boolean durable, boolean exclusive, boolean autoDelete, Map<String, Object> args) {
        AmqpException e = assertThrows(AmqpException.class, () -> QueueArguments.parse(
                new QueueDefinition("/", "q", durable, exclusive, autoDelete, args)));
        assertEquals(406, e.replyCode());
        assertFalse(e.connectionLevel());
        return e.replyText();
    }

    @Test
    void durableQuorumQueueIsAccepted() {
        QueueArguments a = QueueArguments.parse(new QueueDefinition("/", "q", true, false, false,
                quorum("x-quorum-initial-group-size", 3, "x-delivery-limit", 5, "x-message-ttl", 1000)));
        assertTrue(a.isQuorum());
        assertEquals(QueueType.QUORUM, a.queueType());
        assertEquals(5L, a.deliveryLimit());
        assertEquals(QueueType.CLASSIC, QueueArguments.NONE.queueType());
    }

    @Test
    void propertiesQuorumQueuesRefuseInRabbitMqOrder() {
        assertEquals("PRECONDITION_FAILED - invalid property 'non-durable' for queue 'q' in vhost '/'",
                refusal(false, false, false, QUORUM));
        assertEquals("PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'q' in vhost '/'",
                refusal(false, true, false, QUORUM));
        assertEquals("PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'q' in vhost '/'",
                refusal(false, true, true, QUORUM));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type "
                + "rabbit_quorum_queue", refusal(false, false, false, quorum("x-max-priority", 3)),
                "arguments before properties");
    }

    @Test
    void argumentsEachTypeRefuses() {
        for (String key : List.of("x-max-priority", "x-queue-mode", "x-max-age", "x-initial-cluster-size",
                "x-queue-master-locator")) {
            assertEquals("PRECONDITION_FAILED - invalid arg '" + key + "' for queue 'q' in vhost '/' of queue type "
                    + "rabbit_quorum_queue", refusal(true, false, false, quorum(key, "x")));
        }
        for (String key : List.of("x-delivery-limit", "x-quorum-initial-group-size", "x-dead-letter-strategy",
                "x-max-age", "x-max-in-memory-length", "x-initial-cluster-size", "x-queue-leader-locator")) {
            assertEquals("PRECONDITION_FAILED - invalid arg '" + key + "' for queue 'q' in vhost '/' of queue type "
                    + "rabbit_classic_queue", refusal(true, false, false, Map.of(key, 0)));
        }
        // per key in RabbitMQ's order: a bad value of an earlier key is reported first
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}",
                refusal(true, false, false, quorum("x-max-length", -1, "x-max-priority", 2)));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-quorum-initial-group-size' for queue 'q' in vhost '/': "
                + "{value_zero,0}", refusal(true, false, false, quorum("x-quorum-initial-group-size", 0)));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-dead-letter-strategy' for queue 'q' in vhost '/': "
                + "invalid_dlx_strategy", refusal(true, false, false, quorum("x-dead-letter-strategy", "foo")));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue 'q' in vhost '/': "
                + "\"unsupported queue type 'stream'\"", refusal(true, false, false, Map.of("x-queue-type", "stream")));
    }

    @Test
    void anyDeliveryLimitValueIsAcceptedButOnlyAnIntegerLimits() {
        assertNull(QueueArguments.parse(quorum("x-delivery-limit", "a")).deliveryLimit());
        assertEquals(-1L, QueueArguments.parse(quorum("x-delivery-limit", -1)).deliveryLimit());
    }

    @Test
    void rejectPublishDlxFallsBackToDropHead() {
        assertEquals(Overflow.DROP_HEAD, QueueArguments.parse(quorum("x-overflow", "reject-publish-dlx")).overflow());
        assertEquals(Overflow.REJECT_PUBLISH, QueueArguments.parse(quorum("x-overflow", "reject-publish")).overflow());
    }

    @Test
    void everyMessageIsJournalledPersistentOrNot() {
        QueueState q = quorumQueue(QUORUM);
        q.publish(msg("transient"), 1);
        List<QueueEvent> events = journal(q.takeEffects());
        assertEquals(1, events.size());
        assertInstanceOf(QueueEvent.Enqueued.class, events.get(0));
    }

    @Test
    void deliveryCountHeaderCountsReturns() {
        QueueState q = quorumQueue(QUORUM);
        q.publish(msg("m1"), 1);
        GetResult first = q.get("ch1", false, 2).orElseThrow();
        assertEquals(0L, first.message().properties().headers().get("x-delivery-count"), "basic.get: always");
        assertFalse(first.redelivered());
        q.reject("ch1", new long[] {first.deliveryId()}, true);
        GetResult second = q.get("ch1", false, 3).orElseThrow();
        assertEquals(1L, second.message().properties().headers().get("x-delivery-count"));
        assertTrue(second.redelivered());
        q.channelClosed("ch1");
        q.addConsumer(new ConsumerKey("ch2", "c"), true, 0, 0, false);
        q.deliver(4);
        QueueEffect.Deliver d = deliveries(q.takeEffects()).get(0);
        assertEquals(2L, d.message().properties().headers().get("x-delivery-count"), "a channel closing counts");
    }

    @Test
    void firstConsumerDeliveryHasNoHeader() {
        QueueState q = quorumQueue(QUORUM);
        q.addConsumer(new ConsumerKey("ch1", "c"), true, 0, 0, false);
        q.publish(msg("m1"), 1);
        QueueEffect.Deliver d = deliveries(q.takeEffects()).get(0);
        assertNull(d.message().properties().headers());
    }

    @Test
    void classicQueuesAddNoHeader() {
        QueueState q = durableQueue(Map.of());
        q.publish(msg("m1"), 1);
        GetResult g = q.get("ch1", false, 2).orElseThrow();
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        assertNull(q.get("ch1", false, 3).orElseThrow().message().properties().headers());
    }

    @Test
    void poisonMessageIsDeadLetteredPastTheLimit() {
        QueueState q = quorumQueue(quorum("x-delivery-limit", 1, "x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1"), 1);
        GetResult g = q.get("ch1", false, 2).orElseThrow();
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        g = q.get("ch1", false, 3).orElseThrow();
        q.takeEffects();
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        List<QueueEffect> effects = q.takeEffects();
        List<QueueEffect.DeadLetter> dls = deadLetters(effects);
        assertEquals(1, dls.size());
        Map<String, Object> h = dls.get(0).message().properties().headers();
        assertEquals("delivery_limit", h.get("x-first-death-reason"));
        assertFalse(h.containsKey("x-delivery-count"), "the header is not stored");
        assertEquals(0, q.messageCount());
        assertTrue(q.get("ch1", false, 4).isEmpty());
        q.deadLetterSettled(dls.get(0).seq());
        assertInstanceOf(QueueEvent.Removed.class, journal(q.takeEffects()).get(0));
    }

    @Test
    void poisonMessageWithoutDlxIsDropped() {
        QueueState q = quorumQueue(quorum("x-delivery-limit", 0));
        q.publish(msg("m1"), 1);
        q.takeEffects();
        GetResult g = q.get("ch1", false, 2).orElseThrow();
        q.recover("ch1");
        List<QueueEffect> effects = q.takeEffects();
        assertTrue(deadLetters(effects).isEmpty());
        List<QueueEvent> events = journal(effects);
        assertInstanceOf(QueueEvent.Returned.class, events.get(0), "the return is counted first");
        assertInstanceOf(QueueEvent.Removed.class, events.get(1));
        assertEquals(0, q.messageCount());
    }

    /** Publishes m1 and returns it twice (reject with requeue, then its channel closing); the journal so far. */
    private static List<QueueEvent> returnedTwice(QueueState q) {
        List<QueueEvent> written = new java.util.ArrayList<>();
        q.publish(msg("m1"), 1);
        written.addAll(journal(q.takeEffects()));
        GetResult g = q.get("ch1", false, 2).orElseThrow();
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        written.addAll(journal(q.takeEffects()));
        q.get("ch1", false, 3).orElseThrow();
        q.channelClosed("ch1");
        written.addAll(journal(q.takeEffects()));
        return written;
    }

    @Test
    void deliveryCountSurvivesJournalReplay() {
        List<QueueEvent> written = returnedTwice(quorumQueue(QUORUM));
        assertEquals(2, written.stream().filter(e -> e instanceof QueueEvent.Returned).count(), written.toString());
        QueueState recovered = quorumQueue(QUORUM);
        written.forEach(recovered::replay);
        GetResult g = recovered.get("ch1", false, 10).orElseThrow();
        assertEquals(2L, g.message().properties().headers().get("x-delivery-count"));
    }

    @Test
    void deliveryCountSurvivesASnapshotAndCountsOnFromThere() {
        QueueState q = quorumQueue(quorum("x-delivery-limit", 2));
        returnedTwice(q);
        QueueSnapshot snap = q.snapshot();
        assertEquals(2, snap.messages().get(0).deliveryCount());
        QueueDefinition d = new QueueDefinition("/", "q", true, false, false, quorum("x-delivery-limit", 2));
        QueueState recovered = QueueState.fromSnapshot(d, QueueArguments.parse(d), snap);
        GetResult g = recovered.get("ch1", false, 10).orElseThrow();
        assertEquals(2L, g.message().properties().headers().get("x-delivery-count"));
        recovered.reject("ch1", new long[] {g.deliveryId()}, true);
        assertEquals(0, recovered.messageCount(), "the third return passes the limit of 2 counted before the restart");
    }

    @Test
    void classicQueuesJournalNoReturns() {
        QueueState q = durableQueue(Map.of());
        q.publish(persistent("m1"), 1);
        q.takeEffects();
        GetResult g = q.get("ch1", false, 2).orElseThrow();
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        assertTrue(journal(q.takeEffects()).isEmpty());
    }

    @Test
    void aChannelWithAGlobalPrefetchLimitCannotConsumeFromAQuorumQueue() {
        QueueState q = quorumQueue(QUORUM);
        q.checkGlobalQos(false);
        AmqpException e = assertThrows(AmqpException.class, () -> q.checkGlobalQos(true));
        assertEquals(540, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals("NOT_IMPLEMENTED - queue 'q' in vhost '/' does not support global qos", e.replyText());
        durableQueue(Map.of()).checkGlobalQos(true);
    }
}
