package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsumerSelectionTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");
    private static final ConsumerKey B = new ConsumerKey("ch2", "b");
    private static final ConsumerKey C = new ConsumerKey("ch3", "c");

    private static List<ConsumerKey> consumersOf(List<QueueEffect> effects) {
        return deliveries(effects).stream().map(QueueEffect.Deliver::consumer).toList();
    }

    @Test
    void priorityQueueDeliversHighestPriorityFirstFifoWithin() {
        QueueState q = queue(Map.of("x-max-priority", 9));
        q.publish(withPriority("low1", 1), 1);
        q.publish(msg("none"), 1); // absent priority is 0
        q.publish(withPriority("high1", 9), 1);
        q.publish(withPriority("low2", 1), 1);
        q.publish(withPriority("high2", 9), 1);
        q.publish(withPriority("over", 200), 1); // above max: treated as max
        q.addConsumer(A, true, 0, 0, false);
        q.deliver(2);
        assertEquals(List.of("high1", "high2", "over", "low1", "low2", "none"), ids(deliveries(q.takeEffects())));
    }

    @Test
    void nonPriorityQueueIgnoresMessagePriority() {
        QueueState q = queue(Map.of());
        q.publish(withPriority("low", 1), 1);
        q.publish(withPriority("high", 9), 1);
        assertEquals("low", q.get("ch1", true, 1).orElseThrow().message().id());
    }

    @Test
    void requeueInAPriorityQueueReturnsToItsPriority() {
        QueueState q = queue(Map.of("x-max-priority", 5));
        q.publish(withPriority("h1", 5), 1);
        q.publish(withPriority("l1", 1), 1);
        q.publish(withPriority("h2", 5), 1);
        GetResult g = q.get("ch1", false, 1).orElseThrow();
        assertEquals("h1", g.message().id());
        q.reject("ch1", new long[] {g.deliveryId()}, true);
        StringBuilder order = new StringBuilder();
        Optional<GetResult> r;
        while ((r = q.get("ch1", true, 1)).isPresent()) order.append(r.get().message().id()).append(' ');
        assertEquals("h1 h2 l1 ", order.toString());
    }

    @Test
    void dropHeadInAPriorityQueueDropsTheNextToBeDelivered() {
        QueueState q = queue(Map.of("x-max-priority", 5, "x-max-length", 2));
        q.publish(withPriority("l1", 1), 1);
        q.publish(withPriority("h1", 5), 1);
        q.publish(withPriority("l2", 1), 1); // over: h1, the head, is dropped (rabbit_priority_queue:drop)
        assertEquals(2, q.messageCount());
        assertEquals("l1", q.get("ch1", true, 1).orElseThrow().message().id());
    }

    @Test
    void higherPriorityConsumersGetMessagesWhileTheyHaveCredit() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        q.addConsumer(B, true, 2, 10, false);
        q.addConsumer(C, true, 0, 10, false);
        for (int i = 0; i < 6; i++) q.publish(msg("m" + i), 1);
        // B and C (priority 10) round robin; B runs out of credit after 2, then C takes the rest; A gets none
        assertEquals(List.of(B, C, B, C, C, C), consumersOf(q.takeEffects()));
    }

    @Test
    void lowerPriorityConsumersGetMessagesWhenHigherOnesAreBlocked() {
        QueueState q = queue(Map.of());
        q.addConsumer(A, true, 0, 0, false);
        q.addConsumer(B, true, 1, 5, false);
        for (int i = 0; i < 3; i++) q.publish(msg("m" + i), 1);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of(B, A, A), ds.stream().map(QueueEffect.Deliver::consumer).toList());
        q.ack("ch2", new long[] {ds.get(0).deliveryId()});
        q.publish(msg("m3"), 2);
        assertEquals(List.of(B), consumersOf(q.takeEffects()), "B has credit again and wins");
    }

    @Test
    void singleActiveConsumerGetsEverythingAndTheNextTakesOver() {
        QueueState q = queue(Map.of("x-single-active-consumer", true));
        q.addConsumer(A, true, 0, 0, false);
        q.addConsumer(B, true, 0, 0, false);
        q.addConsumer(C, true, 0, 0, false);
        assertEquals(Optional.of(A), q.singleActiveConsumer());
        for (int i = 0; i < 3; i++) q.publish(msg("m" + i), 1);
        assertEquals(List.of(A, A, A), consumersOf(q.takeEffects()));
        q.channelClosed("ch1"); // A's unacked go back; B takes over in registration order
        assertEquals(Optional.of(B), q.singleActiveConsumer());
        q.deliver(2);
        List<QueueEffect.Deliver> ds = deliveries(q.takeEffects());
        assertEquals(List.of("m0", "m1", "m2"), ids(ds));
        assertTrue(ds.stream().allMatch(d -> d.consumer().equals(B) && d.redelivered()));
        q.cancelConsumer(B);
        assertEquals(Optional.of(C), q.singleActiveConsumer());
    }

    @Test
    void singleActiveConsumerWithoutCreditBlocksTheQueue() {
        QueueState q = queue(Map.of("x-single-active-consumer", true));
        q.addConsumer(A, true, 1, 0, false);
        q.addConsumer(B, true, 0, 0, false);
        q.publish(msg("m0"), 1);
        q.publish(msg("m1"), 1);
        assertEquals(List.of(A), consumersOf(q.takeEffects()), "B is idle even though A is blocked");
        assertEquals(1, q.messageCount());
    }

    @Test
    void consumerTimeoutFlagsTheChannelOnce() {
        QueueState q = queue(Map.of("x-consumer-timeout", 1000));
        q.addConsumer(A, true, 0, 0, false);
        q.publish(msg("m0"), 0);
        q.publish(msg("m1"), 500);
        long first = deliveries(q.takeEffects()).get(0).deliveryId();
        assertEquals(1000, q.nextDeadline().orElseThrow());
        q.tick(999);
        assertTrue(q.takeEffects().isEmpty());
        q.tick(1000);
        assertEquals(List.of(new QueueEffect.DeliveryTimedOut("ch1", first, 1000)), q.takeEffects());
        q.tick(2000);
        assertTrue(q.takeEffects().isEmpty(), "once per channel");
        q.channelClosed("ch1");
        assertEquals(2, q.messageCount());
    }

    @Test
    void brokerWideConsumerTimeoutAppliesOnlyWithoutTheQueueArgument() {
        QueueState plain = queue(Map.of());
        plain.defaultConsumerTimeout(3000L);
        plain.addConsumer(A, true, 0, 0, false);
        plain.publish(msg("m0"), 0);
        long delivered = deliveries(plain.takeEffects()).get(0).deliveryId();
        assertEquals(3000, plain.nextDeadline().orElseThrow());
        plain.tick(3000);
        assertEquals(List.of(new QueueEffect.DeliveryTimedOut("ch1", delivered, 3000)), plain.takeEffects());

        QueueState own = queue(Map.of("x-consumer-timeout", 1000));
        own.defaultConsumerTimeout(3000L);
        own.addConsumer(A, true, 0, 0, false);
        own.publish(msg("m0"), 0);
        own.takeEffects();
        assertEquals(1000, own.nextDeadline().orElseThrow(), "x-consumer-timeout wins over the default");

        QueueState none = queue(Map.of());
        none.defaultConsumerTimeout(null);
        none.addConsumer(A, true, 0, 0, false);
        none.publish(msg("m0"), 0);
        none.tick(Long.MAX_VALUE / 2);
        List<QueueEffect> effects = none.takeEffects();
        assertEquals(1, effects.size(), () -> "only the delivery, no timeout: " + effects);
        assertInstanceOf(QueueEffect.Deliver.class, effects.get(0));
        assertTrue(none.nextDeadline().isEmpty(), "no timeout scheduled");
    }
}
