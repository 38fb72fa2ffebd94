package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** basic.qos: what the queues are told, and what the channel holds back for the channel-wide limit. */
class ChannelPrefetchTest {

    private final ChannelPrefetch<String> p = new ChannelPrefetch<>();

    private HeldDelivery<String> held(String name, boolean ackRequired) {
        return new HeldDelivery<>("q", "c", name.hashCode(), ackRequired, name);
    }

    /** Delivers or holds, as the channel does on a delivery from a queue; returns whether it went out. */
    private boolean arrive(String name, boolean ackRequired) {
        if (p.mustHold()) {
            p.hold(held(name, ackRequired));
            return false;
        }
        p.delivered(ackRequired);
        return true;
    }

    private static List<String> names(List<HeldDelivery<String>> hs) {
        return hs.stream().map(HeldDelivery::delivery).toList();
    }

    private static Unacked consumerDelivery() {
        return new Unacked(1, "q", 1, "c");
    }

    @Test
    void perConsumerLimitIsForNewConsumersAndTheQueueEnforcesIt() {
        p.qos(5, false);
        assertEquals(5, p.consumerLimit());
        assertEquals(5, p.queueLimit(p.consumerLimit()));
        assertTrue(arrive("m1", true));
        assertFalse(p.mustHold());
    }

    @Test
    void theQueueLimitIsTheConsumersOwnCappedByTheChannels() {
        p.qos(3, true);
        assertEquals(3, p.queueLimit(0));
        assertEquals(2, p.queueLimit(2));
        assertEquals(3, p.queueLimit(10));
        p.qos(0, true);
        assertEquals(10, p.queueLimit(10));
        assertEquals(0, p.queueLimit(0));
    }

    @Test
    void beyondTheChannelLimitDeliveriesWaitUntilAnAck() {
        p.qos(1, true);
        assertTrue(arrive("m1", true));
        assertFalse(arrive("m2", true));
        assertFalse(arrive("m3", true));
        assertEquals(List.of(), p.release());
        p.settled(List.of(consumerDelivery()));
        assertEquals(List.of("m2"), names(p.release()));
        assertEquals(1, p.volume());
    }

    @Test
    void raisingTheLimitReleasesHeldDeliveries() {
        p.qos(1, true);
        arrive("m1", true);
        arrive("m2", true);
        arrive("m3", true);
        p.qos(2, true); // RabbitMQ QosTests.limitIncrease
        assertEquals(List.of("m2"), names(p.release()));
        p.qos(0, true); // limitedToUnlimited
        assertEquals(List.of("m3"), names(p.release()));
        assertTrue(arrive("m4", true));
    }

    @Test
    void loweringTheLimitHoldsUntilAcksBringTheCountBelowIt() {
        p.qos(2, true);
        arrive("m1", true);
        arrive("m2", true);
        p.qos(1, true); // limitDecrease
        assertFalse(arrive("m3", true));
        p.settled(List.of(consumerDelivery()));
        assertEquals(List.of(), p.release());
        p.settled(List.of(consumerDelivery()));
        assertEquals(List.of("m3"), names(p.release()));
    }

    @Test
    void noAckDeliveriesWaitWhileTheLimitIsUsedUpButDoNotCount() {
        p.qos(1, true);
        assertTrue(arrive("auto1", false)); // noAckNoAlterLimit
        assertTrue(arrive("m1", true));
        assertFalse(arrive("auto2", false)); // noAckObeysLimit
        p.settled(List.of(consumerDelivery()));
        assertEquals(List.of("auto2"), names(p.release()));
        assertEquals(0, p.volume());
    }

    @Test
    void basicGetDeliveriesDoNotCount() {
        p.qos(1, true);
        arrive("m1", true);
        p.settled(List.of(new Unacked(2, "q", 2, null))); // the ack of a basic.get
        assertTrue(p.mustHold());
    }

    @Test
    void heldDeliveriesOfALostQueueAreDroppedAndRecoverTakesTheRest() {
        p.qos(1, true);
        arrive("m1", true);
        p.hold(new HeldDelivery<>("lost", "c", 7, true, "x"));
        p.hold(new HeldDelivery<>("q", "c", 8, true, "y"));
        assertTrue(p.holds("lost", 7));
        p.queueLost("lost");
        assertFalse(p.holds("lost", 7));
        assertEquals(List.of("y"), names(p.takeAll()));
        assertEquals(0, p.heldCount());
    }
}
