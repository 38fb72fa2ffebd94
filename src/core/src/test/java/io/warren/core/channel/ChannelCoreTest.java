package io.warren.core.channel;

import io.warren.amqp.EncodedProperties;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.method.BasicAck;
import io.warren.amqp.method.BasicCancel;
import io.warren.amqp.method.BasicCancelOk;
import io.warren.amqp.method.BasicConsumeOk;
import io.warren.amqp.method.BasicNack;
import io.warren.amqp.method.BasicQos;
import io.warren.amqp.method.BasicQosOk;
import io.warren.amqp.method.BasicRecover;
import io.warren.amqp.method.BasicRecoverOk;
import io.warren.amqp.method.BasicReject;
import io.warren.amqp.method.ConfirmSelect;
import io.warren.amqp.method.ConfirmSelectOk;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.QueueDeclare;
import io.warren.amqp.method.TxCommit;
import io.warren.amqp.method.TxCommitOk;
import io.warren.amqp.method.TxRollback;
import io.warren.amqp.method.TxRollbackOk;
import io.warren.amqp.method.TxSelect;
import io.warren.amqp.method.TxSelectOk;
import io.warren.core.queue.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The channel's rules driven through {@link ChannelCore} alone: inputs in, effects out, time passed in. */
class ChannelCoreTest {

    /** Deliveries are plain strings here; transactional publishes are the queue names they go to. */
    private final ChannelCore<String, String> core = new ChannelCore<>(7, true);
    private final List<ChannelEffect> out = new ArrayList<>();
    private long now = 1_000;

    // ---------------------------------------------------------------- helpers

    private List<ChannelEffect> method(Method m) {
        out.clear();
        assertTrue(core.onMethod(m, now, out), "the core answers " + m);
        return List.copyOf(out);
    }

    private List<ChannelEffect> flush() {
        out.clear();
        core.endOfInput(now, out);
        return List.copyOf(out);
    }

    private static ChannelEffect send(Method m) {
        return new ChannelEffect.SendMethod(m);
    }

    /** Publishes one message to {@code queues} (none: unroutable) and returns its confirm sequence. */
    private long publish(String... queues) {
        out.clear();
        long seq = core.routed(queues.length, now, out);
        Message m = new Message("id-" + seq + "-" + now, "x", "k", (EncodedProperties) null, null);
        for (String q : queues) core.batch(q, m, seq);
        return seq;
    }

    private void consume(String queue, String tag, boolean noAck) {
        out.clear();
        core.consume(queue, tag, noAck, false, 0, false, now, out);
        List<ChannelEffect> sent = List.copyOf(out);
        out.clear();
        assertTrue(core.consumeAnswered(tag, true, 0, null, out));
        assertEquals(List.of(send(new BasicConsumeOk(tag))), out);
        assertEquals(1, sent.size());
    }

    private static ChannelEffect.Settle settleOf(List<ChannelEffect> effects, String queue) {
        return effects.stream().filter(e -> e instanceof ChannelEffect.Settle s && s.queue().equals(queue))
                .map(e -> (ChannelEffect.Settle) e).findFirst().orElseThrow(() -> new AssertionError("no settle for " + queue + " in " + effects));
    }

    private static ChannelEffect.EnqueueBatch batchOf(List<ChannelEffect> effects, String queue) {
        return effects.stream().filter(e -> e instanceof ChannelEffect.EnqueueBatch b && b.queue().equals(queue))
                .map(e -> (ChannelEffect.EnqueueBatch) e).findFirst().orElseThrow(() -> new AssertionError("no batch for " + queue + " in " + effects));
    }

    private static void assertSettle(ChannelEffect.Settle s, long[] acked, long[] requeued, long[] discarded) {
        assertArrayEquals(acked, s.acked(), "acked");
        assertArrayEquals(requeued, s.requeued(), "requeued");
        assertArrayEquals(discarded, s.discarded(), "discarded");
    }

    private static long[] ids(long... ids) {
        return ids;
    }

    // ---------------------------------------------------------------- confirms

    @Test
    void confirmsOfSeveralPublishesSettledTogetherAreOneMultipleAck() {
        assertEquals(List.of(send(new ConfirmSelectOk())), method(new ConfirmSelect(false)));
        assertEquals(1, publish("q"));
        assertEquals(2, publish("q"));
        assertEquals(3, publish("q"));
        ChannelEffect.EnqueueBatch b = batchOf(flush(), "q");
        assertArrayEquals(ids(1, 2, 3), b.seqs());
        assertEquals(3, b.messages().size());
        out.clear();
        core.enqueueSettled("q", ids(1, 2, 3), ids(), now, out);
        assertEquals(List.of(send(new BasicAck(3, true))), out);
    }

    @Test
    void anUnroutablePublishIsAckedAtOnceAndARefusedOneNacked() {
        method(new ConfirmSelect(true));
        publish();
        assertEquals(List.of(send(new BasicAck(1, false))), out);
        assertEquals(List.of(), flush());
        publish("q");
        flush();
        out.clear();
        core.enqueueSettled("q", ids(), ids(2), now, out);
        assertEquals(List.of(send(new BasicNack(2, false, false))), out);
    }

    @Test
    void aPublishToTwoQueuesIsAckedWhenBothTookIt() {
        method(new ConfirmSelect(true));
        publish("a", "b");
        List<ChannelEffect> sent = flush();
        assertArrayEquals(ids(1), batchOf(sent, "a").seqs());
        assertArrayEquals(ids(1), batchOf(sent, "b").seqs());
        out.clear();
        core.enqueueSettled("a", ids(1), ids(), now, out);
        assertEquals(List.of(), out);
        core.enqueueSettled("b", ids(1), ids(), now, out);
        assertEquals(List.of(send(new BasicAck(1, false))), out);
    }

    @Test
    void withoutConfirmsPublishesCarrySequenceZeroAndNothingIsAcked() {
        assertEquals(0, publish("q"));
        assertArrayEquals(ids(0), batchOf(flush(), "q").seqs());
        out.clear();
        core.enqueueSettled("q", ids(0), ids(), now, out);
        assertEquals(List.of(), out);
    }

    @Test
    void publishesUnconfirmedPastTheTimeoutAreNackedAndNotResentAfterFailover() {
        method(new ConfirmSelect(true));
        publish("q");
        flush();
        out.clear();
        core.nackUnconfirmedOlderThan(now + 5, 10, out);
        assertEquals(List.of(), out);
        core.nackUnconfirmedOlderThan(now + 11, 10, out);
        assertEquals(List.of(send(new BasicNack(1, false, false))), out);
        out.clear();
        core.queueLost("q", now + 12, out);
        assertEquals(List.of(), out, "a nacked publish is not sent again");
    }

    @Test
    void confirmAndTxModesExcludeEachOther() {
        method(new ConfirmSelect(true));
        AmqpException e = assertThrows(AmqpException.class, () -> core.onMethod(new TxSelect(), now, out));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, e.replyCode());
        assertEquals("PRECONDITION_FAILED - cannot switch from confirm to tx mode", e.replyText());

        ChannelCore<String, String> other = new ChannelCore<>(1, true);
        other.onMethod(new TxSelect(), now, out);
        e = assertThrows(AmqpException.class, () -> other.onMethod(new ConfirmSelect(false), now, out));
        assertEquals("PRECONDITION_FAILED - cannot switch from tx to confirm mode", e.replyText());
    }

    // ---------------------------------------------------------------- acks and transactions

    @Test
    void acksNacksAndRejectsOfOneReadGoToTheQueueAsOneSettle() {
        consume("q", "c", false);
        for (long id = 10; id < 15; id++) assertEquals(id - 9, core.deliver("q", "c", id, "m" + id));
        method(new BasicAck(2, true));         // tags 1, 2
        method(new BasicNack(3, false, true)); // tag 3 requeued
        method(new BasicReject(4, false));     // tag 4 discarded
        assertSettle(settleOf(flush(), "q"), ids(10, 11), ids(12), ids(13));
        AmqpException e = assertThrows(AmqpException.class, () -> core.onMethod(new BasicAck(2, false), now, out));
        assertEquals("PRECONDITION_FAILED - unknown delivery tag 2", e.replyText());
    }

    @Test
    void txCommitRoutesHeldPublishesThenAppliesAcks() {
        consume("q", "c", false);
        core.deliver("q", "c", 100, "m");
        assertEquals(List.of(send(new TxSelectOk())), method(new TxSelect()));
        assertTrue(core.transactional());
        core.holdForCommit("p1");
        method(new BasicAck(1, false));
        assertEquals(List.of(), flush(), "nothing leaves before the commit");
        List<ChannelEffect> committed = method(new TxCommit());
        assertEquals(List.of(new ChannelEffect.RoutePublish<>("p1"), send(new TxCommitOk())), committed);
        assertSettle(settleOf(flush(), "q"), ids(100), ids(), ids());
    }

    @Test
    void txRollbackForgetsPublishesAndMakesAckedDeliveriesUnackedAgain() {
        consume("q", "c", false);
        core.deliver("q", "c", 100, "m");
        method(new TxSelect());
        core.holdForCommit("p1");
        method(new BasicAck(1, false));
        assertEquals(List.of(send(new TxRollbackOk())), method(new TxRollback()));
        assertEquals(List.of(send(new TxCommitOk())), method(new TxCommit()), "the rolled back publish is gone");
        assertEquals(List.of(), flush());
        method(new BasicAck(1, false)); // the client may ack it again
        method(new TxCommit());
        assertSettle(settleOf(flush(), "q"), ids(100), ids(), ids());
    }

    @Test
    void commitAndRollbackWithoutTxSelectAre406() {
        AmqpException e = assertThrows(AmqpException.class, () -> core.onMethod(new TxCommit(), now, out));
        assertEquals("PRECONDITION_FAILED - channel is not transactional", e.replyText());
        assertThrows(AmqpException.class, () -> core.onMethod(new TxRollback(), now, out));
    }

    // ---------------------------------------------------------------- prefetch

    @Test
    void perConsumerPrefetchAppliesToConsumersCreatedAfterIt() {
        consume("q", "before", false);
        assertEquals(List.of(send(new BasicQosOk())), method(new BasicQos(0, 2, false)), "no re-registration");
        out.clear();
        core.consume("q", "after", false, false, 0, false, now, out);
        assertEquals(List.of(new ChannelEffect.Consume("q", "after", false, 2, false, 0, false)), out);
    }

    @Test
    void noAckConsumersGetTheSocketWindowAsLimit() {
        out.clear();
        core.consume("q", "c", true, true, 5, true, now, out);
        assertEquals(List.of(new ChannelEffect.Consume("q", "c", true, ChannelCore.NO_ACK_WINDOW, true, 5, false)), out);
        out.clear();
        assertTrue(core.consumeAnswered("c", true, 0, null, out));
        assertEquals(List.of(), out, "no-wait: no consume-ok");
    }

    @Test
    void globalPrefetchHoldsDeliveriesBeyondItUntilAnAck() {
        consume("q", "c", false);
        List<ChannelEffect> qos = method(new BasicQos(0, 1, true));
        assertEquals(List.of(new ChannelEffect.Consume("q", "c", false, 1, false, 0, true), send(new BasicQosOk())), qos,
                "the registered consumer takes the new cap");
        assertEquals(1, core.deliver("q", "c", 10, "m10"));
        assertEquals(0, core.deliver("q", "c", 11, "m11"), "held");
        List<ChannelEffect> acked = method(new BasicAck(1, false));
        assertEquals(List.of(new ChannelEffect.SendDelivery<>("q", "c", 2, "m11")), acked);
    }

    @Test
    void raisingTheGlobalPrefetchReleasesHeldDeliveriesAndLoweringHoldsMore() {
        consume("q", "c", false);
        method(new BasicQos(0, 1, true));
        core.deliver("q", "c", 10, "m10");
        assertEquals(0, core.deliver("q", "c", 11, "m11"));
        assertEquals(0, core.deliver("q", "c", 12, "m12"));
        List<ChannelEffect> raised = method(new BasicQos(0, 3, true));
        assertEquals(List.of(new ChannelEffect.Consume("q", "c", false, 3, false, 0, true), send(new BasicQosOk()),
                new ChannelEffect.SendDelivery<>("q", "c", 2, "m11"), new ChannelEffect.SendDelivery<>("q", "c", 3, "m12")), raised);
        method(new BasicQos(0, 2, true));
        assertEquals(0, core.deliver("q", "c", 13, "m13"), "3 unacked, limit lowered to 2");
        method(new BasicAck(1, false));
        assertEquals(List.of(), out, "still 2 unacked: at the limit");
        assertEquals(List.of(new ChannelEffect.SendDelivery<>("q", "c", 4, "m13")), method(new BasicAck(2, false)));
    }

    @Test
    void anAckInATransactionMakesRoomOnlyWhenItCommits() {
        consume("q", "c", false);
        method(new BasicQos(0, 1, true));
        core.deliver("q", "c", 10, "m10");
        core.deliver("q", "c", 11, "m11");
        method(new TxSelect());
        assertEquals(List.of(), method(new BasicAck(1, false)));
        assertEquals(List.of(new ChannelEffect.SendDelivery<>("q", "c", 2, "m11"), send(new TxCommitOk())), method(new TxCommit()));
    }

    // ---------------------------------------------------------------- recover

    @Test
    void recoverRequeuesUnackedDeliveriesAndForgetsTheirTags() {
        consume("q", "c", false);
        core.deliver("q", "c", 10, "m10");
        core.deliver("q", "c", 11, "m11");
        List<ChannelEffect> recovered = method(new BasicRecover(true));
        assertSettle(settleOf(recovered, "q"), ids(), ids(10, 11), ids());
        assertEquals(send(new BasicRecoverOk()), recovered.get(recovered.size() - 1));
        AmqpException e = assertThrows(AmqpException.class, () -> core.onMethod(new BasicAck(1, false), now, out));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, e.replyCode());
    }

    @Test
    void recoverUnderAGlobalLimitFreesTheRoomOfWhatItRequeues() {
        consume("q", "c", false);
        method(new BasicQos(0, 2, true));
        core.deliver("q", "c", 10, "m10");
        core.deliver("q", "c", 11, "m11");
        assertEquals(0, core.deliver("q", "c", 12, "m12"), "held");
        List<ChannelEffect> recovered = method(new BasicRecover(true));
        // The requeued two make room first, so the held delivery goes to the client rather than back to its queue.
        assertEquals(new ChannelEffect.SendDelivery<>("q", "c", 3, "m12"), recovered.get(0));
        assertSettle(settleOf(recovered, "q"), ids(), ids(10, 11), ids());
        assertEquals(send(new BasicRecoverOk()), recovered.get(recovered.size() - 1));
    }

    @Test
    void recoverSendsHeldDeliveriesOfANoAckConsumerBackToTheirQueue() {
        consume("q", "acked", false);
        consume("q", "free", true);
        method(new BasicQos(0, 1, true));
        core.deliver("q", "acked", 10, "m10");
        assertEquals(0, core.deliver("q", "free", 11, "m11"), "no-ack consumers wait too while the limit is used up");
        method(new TxSelect());
        method(new BasicAck(1, false)); // in the transaction: makes no room yet
        List<ChannelEffect> recovered = method(new BasicRecover(true));
        assertSettle(settleOf(recovered, "q"), ids(), ids(11), ids()); // what the transaction acked stays acked
        method(new TxCommit());
        assertSettle(settleOf(flush(), "q"), ids(10), ids(), ids());
    }

    // ---------------------------------------------------------------- consumers

    @Test
    void aRefusedConsumeClosesTheChannelAndAReattachRefusalCancelsTheConsumer() {
        out.clear();
        core.consume("q", "c", false, true, 0, false, now, out);
        out.clear();
        assertTrue(core.consumeAnswered("c", false, ReplyCodes.ACCESS_REFUSED, "ACCESS_REFUSED - in use", out));
        assertEquals(List.of(new ChannelEffect.CloseChannel(ReplyCodes.ACCESS_REFUSED, "ACCESS_REFUSED - in use", 60, 20)), out);

        consume("q", "d", false);
        out.clear();
        assertFalse(core.consumeAnswered("d", false, ReplyCodes.NOT_FOUND, "gone", out), "a re-attach, not the pending consume");
        assertEquals(List.of(send(new BasicCancel("d", true))), out);
    }

    @Test
    void aDeliveryForACancelledConsumerGoesBackToItsQueue() {
        consume("q", "c", false);
        out.clear();
        core.cancel("c", false, now, out);
        assertEquals(List.of(new ChannelEffect.Cancel("q", "c"), send(new BasicCancelOk("c"))), out);
        assertEquals(0, core.deliver("q", "c", 10, "m10"));
        assertSettle(settleOf(flush(), "q"), ids(), ids(10), ids());
    }

    @Test
    void theConsumerTimeoutClosesTheChannelOnlyWhileTheDeliveryIsUnacked() {
        consume("q", "c", false);
        core.deliver("q", "c", 10, "m10");
        out.clear();
        core.consumerTimedOut("q", 99, 1000, out);
        assertEquals(List.of(), out, "not ours");
        core.consumerTimedOut("q", 10, 1000, out);
        assertEquals(List.of(new ChannelEffect.CloseChannel(ReplyCodes.PRECONDITION_FAILED,
                "PRECONDITION_FAILED - delivery acknowledgement on channel 7 timed out. Timeout value used: 1000 ms. "
                        + "This timeout value can be configured, see consumers doc guide to learn more", 0, 0)), out);
    }

    @Test
    void aDeclaredQueueNameIsGeneratedWhenEmptyAndMayNotBeReserved() {
        assertTrue(core.queueToDeclare("", false).startsWith("amq.gen-"));
        AmqpException none = assertThrows(AmqpException.class, () -> core.queueToDeclare("", true));
        assertEquals("NOT_FOUND - no previously declared queue", none.replyText());
        core.declared("mine");
        assertEquals("mine", core.queueToDeclare("", true));
        AmqpException reserved = assertThrows(AmqpException.class, () -> core.queueToDeclare("amq.q", false));
        assertEquals(ReplyCodes.ACCESS_REFUSED, reserved.replyCode());
        assertEquals("amq.q", core.queueToDeclare("amq.q", true), "a passive declare may name a reserved queue");
    }

    @Test
    void emptyQueueNamesMeanTheLastDeclaredQueue() {
        AmqpException e = assertThrows(AmqpException.class, () -> core.queueName(""));
        assertEquals(ReplyCodes.NOT_FOUND, e.replyCode());
        core.declared("amq.gen-1");
        assertEquals("amq.gen-1", core.queueName(""));
        assertEquals("other", core.queueName("other"));
        assertEquals("amq.gen-1", core.bindingKey("", ""));
        assertEquals("k", core.bindingKey("", "k"));
    }

    // ---------------------------------------------------------------- failover and closing

    @Test
    void aLostQueueReattachesItsConsumersResendsUnconfirmedPublishesAndStalesItsTags() {
        method(new ConfirmSelect(true));
        consume("q", "c", false);
        consume("other", "o", false);
        core.deliver("q", "c", 10, "m10");
        publish("q");
        flush();
        out.clear();
        core.queueLost("q", now, out);
        assertEquals(new ChannelEffect.Consume("q", "c", false, 0, false, 0, false), out.get(0));
        ChannelEffect.EnqueueBatch resent = batchOf(out, "q");
        assertArrayEquals(ids(1), resent.seqs());
        assertTrue(resent.resent(), "marked re-sent: the queue drops it if it took it already");
        assertEquals(2, out.size());
        assertEquals(List.of(), method(new BasicAck(1, false)), "a stale tag is harmless to ack");
        assertEquals(List.of(), flush(), "and settles nothing at the queue");

        out.clear();
        core.retryRecoveries(now + 5, 10, out);
        assertEquals(List.of(), out, "not yet due");
        core.retryRecoveries(now + 10, 10, out);
        assertEquals(new ChannelEffect.Consume("q", "c", false, 0, false, 0, false), out.get(0));
        assertArrayEquals(ids(1), batchOf(out, "q").seqs(), "nothing settled since the loss: sent again");
        out.clear();
        core.consumeAnswered("c", true, 0, null, out);
        core.enqueueSettled("q", ids(1), ids(), now, out);
        assertEquals(List.of(send(new BasicAck(1, false))), out);
        out.clear();
        core.retryRecoveries(now + 100, 10, out);
        assertEquals(List.of(), out, "recovered");
    }

    @Test
    void aPendingConsumeWithoutAnswerIsSentAgain() {
        out.clear();
        core.consume("q", "c", false, false, 0, false, now, out);
        out.clear();
        core.retryRecoveries(now + 10, 10, out);
        assertEquals(List.of(new ChannelEffect.Consume("q", "c", false, 0, false, 0, false)), out);
    }

    @Test
    void publishesUnconfirmedForLongAreSentAgain() {
        publish("q");
        flush();
        out.clear();
        core.resendOlderThan(now + 10, 10, out);
        assertEquals(List.of(), out);
        core.resendOlderThan(now + 11, 10, out);
        assertEquals(List.of(), out, "without confirms nothing is kept to resend");

        ChannelCore<String, String> confirming = new ChannelCore<>(1, true);
        confirming.onMethod(new ConfirmSelect(true), now, out);
        confirming.routed(1, now, out);
        confirming.batch("q", new Message("id", "", "q", (EncodedProperties) null, null), 1);
        confirming.endOfInput(now, out);
        assertFalse(batchOf(out, "q").resent(), "a first send");
        out.clear();
        confirming.resendOlderThan(now + 11, 10, out);
        assertArrayEquals(ids(1), batchOf(out, "q").seqs());
        assertTrue(batchOf(out, "q").resent());
    }

    @Test
    void releaseFlushesTheReadAndTellsEveryTouchedQueue() {
        consume("q", "c", false);
        core.touched("g");
        core.deliver("q", "c", 10, "m10");
        method(new BasicAck(1, false));
        out.clear();
        core.release(now, out);
        assertSettle(settleOf(out, "q"), ids(10), ids(), ids());
        assertTrue(out.contains(new ChannelEffect.LeaveQueue("q")));
        assertTrue(out.contains(new ChannelEffect.LeaveQueue("g")));
        assertEquals(0, core.deliver("q", "c", 11, "m11"), "consumers are gone");
    }

    @Test
    void methodsThatNeedOtherActorsAreNotTheCores() {
        assertFalse(core.onMethod(new QueueDeclare("q", false, false, false, false, false, null), now, out));
    }

    // ---------------------------------------------------------------- deliveries lost between nodes

    private static ChannelEffect.DeliveriesReceived reportOf(List<ChannelEffect> effects) {
        return effects.stream().filter(e -> e instanceof ChannelEffect.DeliveriesReceived)
                .map(e -> (ChannelEffect.DeliveriesReceived) e).findFirst().orElseThrow(() -> new AssertionError("no report in " + effects));
    }

    @Test
    void aGapInTheNumberingReportsWhatTheChannelHoldsAfterItsSettlements() {
        consume("q", "c", false);
        assertEquals(1, core.deliver("q", "c", 10, "m10"));
        core.deliveriesArrived("q", 42, 1, 10);
        assertTrue(flush().isEmpty(), "no gap, nothing to say");
        assertEquals(2, core.deliver("q", "c", 11, "m11"));
        core.deliveriesArrived("q", 42, 2, 11);
        method(new BasicAck(1, false)); // m10 acked in the same read
        // message 3 (ids 12, 13) was lost; message 4 carries id 14
        assertEquals(3, core.deliver("q", "c", 14, "m14"));
        core.deliveriesArrived("q", 42, 4, 14);
        List<ChannelEffect> effects = flush();
        assertTrue(effects.get(0) instanceof ChannelEffect.Settle, "the ack leaves first: " + effects);
        ChannelEffect.DeliveriesReceived report = reportOf(effects);
        assertEquals("q", report.queue());
        assertEquals(4, report.seq());
        assertEquals(14, report.missingUpTo());
        assertArrayEquals(ids(11, 14), report.held());
    }

    @Test
    void aProbeIsAlwaysAnsweredAndNamesWhatIsHeldOnlyWhenSomethingIsMissing() {
        consume("q", "c", false);
        List<ChannelEffect> qos = method(new BasicQos(0, 1, true));
        assertEquals(2, qos.size());
        assertEquals(1, core.deliver("q", "c", 10, "m10"));
        assertEquals(0, core.deliver("q", "c", 11, "m11"), "held by the channel-wide limit");
        core.deliveriesArrived("q", 42, 1, 11);
        core.deliveryProbe("q", 42, 1, 11, false);
        ChannelEffect.DeliveriesReceived fine = reportOf(flush());
        assertEquals(1, fine.seq());
        assertEquals(0, fine.missingUpTo(), "nothing missing");
        assertEquals(0, fine.held().length);
        core.deliveryProbe("q", 42, 2, 12, false); // message 2 (id 12) never came
        ChannelEffect.DeliveriesReceived report = reportOf(flush());
        assertEquals(2, report.seq());
        assertEquals(12, report.missingUpTo());
        assertArrayEquals(ids(10, 11), report.held(), "unacked and held by the limit");
        method(new BasicAck(1, false));
        core.deliveryProbe("q", 42, 2, 12, true); // an audit: nothing missing, the queue wants what is held
        ChannelEffect.DeliveriesReceived audit = reportOf(flush());
        assertEquals(12, audit.missingUpTo());
        assertArrayEquals(ids(11), audit.held(), "the ack left before, in the same read");
    }

    @Test
    void deliveriesAckedInAnOpenTransactionAreStillHeld() {
        consume("q", "c", false);
        method(new TxSelect());
        assertEquals(1, core.deliver("q", "c", 10, "m10"));
        method(new BasicAck(1, false)); // waits for the commit
        core.deliveryProbe("q", 42, 1, 10, true);
        ChannelEffect.DeliveriesReceived audit = reportOf(flush());
        assertArrayEquals(ids(10), audit.held(), "the queue must not take it back before the commit");
    }
}
