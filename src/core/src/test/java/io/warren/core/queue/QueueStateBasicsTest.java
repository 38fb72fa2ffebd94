package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueStateBasicsTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");
    private static final ConsumerKey B = new ConsumerKey("ch2", "b");
    private static final ConsumerKey C = new ConsumerKey("ch3", "c");

    @Test
    void deliversInPublishOrderToOneConsumer() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 5; i++) q.publish(msg("m" + i), 10);
        assertEquals(5, q.messageCount());
        q.addConsumer(A, true, 0, 0, false);
        q.deliver(11);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), ids(ds));
        assertTrue(ds.stream().allMatch(d -> d.consumer().equals(A) && !d.redelivered()));
        assertEquals(0, q.messageCount());
        assertEquals(5, q.unackedCount());
    }

    @Test
    void deliveryIdsAreMonotonic() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        for (int i = 1; i <= 4; i++) q.publish(msg("m" + i), 1);
        long[] tags = tags(deliveries(q.takeEffects()));
        for (int i = 1; i < tags.length; i++) assertTrue(tags[i] > tags[i - 1]);
    }

    @Test
    void publishToAWaitingConsumerDeliversAtOnce() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m1"), 1));
        assertEquals(List.of("m1"), ids(deliveries(q.takeEffects())));
        assertEquals(0, q.messageCount());
    }

    @Test
    void roundRobinAmongConsumers() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        q.addConsumer(B, true, 0, 0, false);
        q.addConsumer(C, true, 0, 0, false);
        for (int i = 1; i <= 6; i++) q.publish(msg("m" + i), 1);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of(A, B, C, A, B, C), ds.stream().map(QueueEffect.Deliver::consumer).toList());
    }

    @Test
    void prefetchLimitsUnackedAndAckReturnsCredit() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 5; i++) q.publish(msg("m" + i), 1);
        q.addConsumer(A, true, 2, 0, false);
        q.deliver(2);
        List<QueueEffect.Deliver> first = deliveries(q.takeEffects());
        assertEquals(List.of("m1", "m2"), ids(first));
        assertEquals(3, q.messageCount());
        q.ack("ch1", new long[] {first.get(0).deliveryId()});
        q.deliver(3);
        assertEquals(List.of("m3"), ids(deliveries(q.takeEffects())));
        q.deliver(4);
        assertTrue(deliveries(q.takeEffects()).isEmpty(), "no credit left");
    }

    @Test
    void blockedConsumerIsSkippedWhileOthersHaveCredit() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 1, 0, false);
        q.addConsumer(B, true, 0, 0, false);
        for (int i = 1; i <= 4; i++) q.publish(msg("m" + i), 1);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of(A, B, B, B), ds.stream().map(QueueEffect.Deliver::consumer).toList());
    }

    @Test
    void noAckConsumerSettlesAtOnceAndJournalsRemoval() {
        QueueState q = durableQueue(Map.of());
        q.publish(persistent("p1"), 1);
        q.publish(persistent("p2"), 1);
        q.takeEffects();
        q.addConsumer(A, false, 0, 0, false); // no window: both go at once (NoAckWindowTest covers the window)
        q.deliver(2);
        List<QueueEffect> effects = q.takeEffects();
        assertEquals(List.of("p1", "p2"), ids(deliveries(effects)));
        assertEquals(0, q.unackedCount());
        List<QueueEvent> journal = journal(effects);
        assertEquals(1, journal.size(), "one Removed for the whole command");
        QueueEvent.Removed removed = (QueueEvent.Removed) journal.get(0);
        assertArrayEquals(new long[] {1, 2}, removed.seqs());
    }

    @Test
    void onlyPersistentMessagesOnDurableQueuesAreJournalled() {
        QueueState durable = durableQueue(Map.of());
        durable.publish(persistent("p"), 1);
        durable.publish(msg("t"), 1);
        List<QueueEvent> events = journal(durable.takeEffects());
        assertEquals(1, events.size());
        assertEquals("p", ((QueueEvent.Enqueued) events.get(0)).message().id());

        QueueState transientQueue = queue(Map.of());
        transientQueue.publish(persistent("p"), 1);
        assertTrue(journal(transientQueue.takeEffects()).isEmpty());
    }

    @Test
    void rejectWithRequeueGoesBackToTheHeadInOriginalOrderRedelivered() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 4; i++) q.publish(msg("m" + i), 1);
        q.addConsumer(A, true, 3, 0, false);
        q.deliver(1);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of("m1", "m2", "m3"), ids(ds));
        // rejected in reverse order: they still come back as m1, m2 ahead of m4
        q.reject("ch1", new long[] {ds.get(1).deliveryId(), ds.get(0).deliveryId()}, true);
        assertEquals(3, q.messageCount());
        q.cancelConsumer(A);
        Optional<GetResult> g1 = q.get("ch9", true, 2);
        Optional<GetResult> g2 = q.get("ch9", true, 2);
        Optional<GetResult> g3 = q.get("ch9", true, 2);
        assertEquals("m1", g1.orElseThrow().message().id());
        assertTrue(g1.get().redelivered());
        assertEquals("m2", g2.orElseThrow().message().id());
        assertTrue(g2.get().redelivered());
        assertEquals("m4", g3.orElseThrow().message().id());
        assertFalse(g3.get().redelivered());
    }

    @Test
    void requeueMergesWithEarlierRequeuedMessagesBySequence() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 4; i++) q.publish(msg("m" + i), 1);
        GetResult g1 = q.get("ch1", false, 1).orElseThrow();
        GetResult g2 = q.get("ch1", false, 1).orElseThrow();
        GetResult g3 = q.get("ch1", false, 1).orElseThrow();
        q.reject("ch1", new long[] {g2.deliveryId()}, true); // ready: m2, m4
        q.reject("ch1", new long[] {g1.deliveryId(), g3.deliveryId()}, true); // m1, m2, m3, m4
        StringBuilder order = new StringBuilder();
        Optional<GetResult> g;
        while ((g = q.get("ch1", true, 1)).isPresent()) order.append(g.get().message().id()).append(' ');
        assertEquals("m1 m2 m3 m4 ", order.toString());
    }

    @Test
    void rejectWithoutRequeueAndNoDlxDropsTheMessage() {
        QueueState q = durableQueue(Map.of());
        q.publish(persistent("p1"), 1);
        GetResult g = q.get("ch1", false, 1).orElseThrow();
        q.takeEffects();
        q.reject("ch1", new long[] {g.deliveryId()}, false);
        List<QueueEffect> effects = q.takeEffects();
        assertTrue(deadLetters(effects).isEmpty());
        assertEquals(List.of(new QueueEvent.Removed(new long[] {1})), journal(effects));
        assertEquals(0, q.messageCount());
        assertEquals(0, q.unackedCount());
    }

    @Test
    void channelCloseRemovesItsConsumersAndRequeuesAllItsUnackedIncludingGets() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 5; i++) q.publish(msg("m" + i), 1);
        GetResult got = q.get("ch1", false, 1).orElseThrow(); // m1 via basic.get on ch1
        q.addConsumer(A, true, 2, 0, false); // ch1: m2, m4
        q.addConsumer(B, true, 1, 0, false); // ch2: m3
        q.deliver(1);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of("m2", "m3", "m4"), ids(ds));
        assertEquals(List.of(A, B, A), ds.stream().map(QueueEffect.Deliver::consumer).toList());
        assertEquals("m1", got.message().id());
        q.channelClosed("ch1");
        assertEquals(1, q.consumerCount());
        assertEquals(1, q.unackedCount());
        assertEquals(4, q.messageCount()); // m1 m2 m4 m5
        q.cancelConsumer(B);
        StringBuilder order = new StringBuilder();
        Optional<GetResult> g;
        while ((g = q.get("ch9", true, 1)).isPresent()) {
            order.append(g.get().message().id()).append(g.get().redelivered() ? "R " : " ");
        }
        assertEquals("m1R m2R m4R m5 ", order.toString());
    }

    @Test
    void cancelKeepsUnackedAckable() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        q.publish(msg("m1"), 1);
        long tag = deliveries(q.takeEffects()).get(0).deliveryId();
        q.cancelConsumer(A);
        assertEquals(0, q.consumerCount());
        assertEquals(1, q.unackedCount());
        q.publish(msg("m2"), 2);
        assertTrue(deliveries(q.takeEffects()).isEmpty());
        q.ack("ch1", new long[] {tag});
        assertEquals(0, q.unackedCount());
        assertEquals(1, q.messageCount());
    }

    @Test
    void recoverRequeuesTheChannelsUnacked() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        q.publish(msg("m1"), 1);
        q.publish(msg("m2"), 1);
        q.takeEffects();
        q.recover("ch1");
        assertEquals(0, q.unackedCount());
        q.deliver(2);
        List<QueueEffect.Deliver> again = deliveries(q.takeEffects());
        assertEquals(List.of("m1", "m2"), ids(again));
        assertTrue(again.stream().allMatch(QueueEffect.Deliver::redelivered));
    }

    @Test
    void exclusiveConsumerRules() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, true);
        AmqpException e = assertThrows(AmqpException.class, () -> q.addConsumer(B, true, 0, 0, false));
        assertEquals(403, e.replyCode());
        assertEquals("ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use", e.replyText());
        q.cancelConsumer(A);
        q.addConsumer(B, true, 0, 0, false);
        AmqpException e2 = assertThrows(AmqpException.class, () -> q.addConsumer(C, true, 0, 0, true));
        assertEquals(403, e2.replyCode());
        assertEquals(1, q.consumerCount());
    }

    @Test
    void reusedConsumerKeyIsRefused() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        AmqpException e = assertThrows(AmqpException.class, () -> q.addConsumer(A, true, 0, 0, false));
        assertEquals(530, e.replyCode());
        assertEquals("NOT_ALLOWED - attempt to reuse consumer tag 'a'", e.replyText());
    }

    @Test
    void getReportsTheMessageCountAfterIt() {
        QueueState q = queue(Map.of());
        assertTrue(q.get("ch1", false, 1).isEmpty());
        q.publish(msg("m1"), 1);
        q.publish(msg("m2"), 1);
        q.publish(msg("m3"), 1);
        GetResult g = q.get("ch1", false, 2).orElseThrow();
        assertEquals("m1", g.message().id());
        assertEquals(2, g.messageCountAfter());
        assertEquals(1, q.unackedCount());
        GetResult noAck = q.get("ch1", true, 2).orElseThrow();
        assertEquals(1, noAck.messageCountAfter());
        assertEquals(1, q.unackedCount(), "no-ack get is settled");
        assertEquals("body-m2", bodyText(noAck.message()));
    }

    @Test
    void purgeDropsReadyButNotUnacked() {
        QueueState q = durableQueue(Map.of());
        for (int i = 1; i <= 3; i++) q.publish(persistent("p" + i), 1);
        q.get("ch1", false, 1).orElseThrow();
        q.takeEffects();
        assertEquals(2, q.purge());
        assertEquals(0, q.messageCount());
        assertEquals(0, q.readyBytes());
        assertEquals(1, q.unackedCount());
        assertEquals(List.of(new QueueEvent.Removed(new long[] {2, 3})), journal(q.takeEffects()));
    }

    @Test
    void republishingAnIdTheQueueHoldsIsADuplicate() {
        QueueState q = queue(Map.of());
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m1"), 1));
        assertEquals(PublishOutcome.DUPLICATE, q.publish(msg("m1"), 1));
        assertEquals(1, q.messageCount());
        GetResult g = q.get("ch1", false, 1).orElseThrow();
        assertEquals(PublishOutcome.DUPLICATE, q.publish(msg("m1"), 1), "still held while unacked");
        q.ack("ch1", new long[] {g.deliveryId()});
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m1"), 1), "gone, so a new message");
    }

    @Test
    void countsTrackReadyBytes() {
        QueueState q = queue(Map.of());
        q.publish(sized("a", 10), 1);
        q.publish(sized("b", 5), 1);
        assertEquals(15, q.readyBytes());
        q.get("ch1", false, 1);
        assertEquals(5, q.readyBytes());
    }

    @Test
    void deleteCancelsConsumers() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 1, 0, false);
        q.addConsumer(B, true, 1, 0, false);
        q.publish(msg("m1"), 1);
        q.publish(msg("m2"), 1);
        q.publish(msg("m3"), 1);
        q.takeEffects();
        assertEquals(1, q.delete());
        List<QueueEffect> effects = q.takeEffects();
        assertEquals(List.of(new QueueEffect.ConsumerCancelled(A), new QueueEffect.ConsumerCancelled(B)), effects);
        assertEquals(0, q.consumerCount());
    }
}
