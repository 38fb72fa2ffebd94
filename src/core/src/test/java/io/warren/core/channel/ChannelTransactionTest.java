package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.warren.amqp.AmqpException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transactions together with the delivery tags, as the channel drives them. */
class ChannelTransactionTest {

    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final Transaction<String> tx = new Transaction<>();

    private void deliver(int n) {
        for (int i = 0; i < n; i++) {
            long tag = unacked.nextTag();
            unacked.add(new Unacked(tag, "q", tag, "c"));
        }
    }

    private void settle(long tag, boolean multiple, Outcome outcome) {
        tx.settle(new Settlement(unacked.settle(tag, multiple), outcome));
    }

    private static List<Long> ids(Settlement s) {
        return s.deliveries().stream().map(Unacked::deliveryId).toList();
    }

    @Test
    void publishesAndSettlementsWaitForTheCommitInOrder() {
        tx.select();
        deliver(2);
        tx.publish("p1");
        settle(2, false, Outcome.ACK);
        settle(1, false, Outcome.REQUEUE);
        tx.publish("p2");
        Transaction.Committed<String> done = tx.commit();
        assertEquals(List.of("p1", "p2"), done.publishes());
        assertEquals(2, done.settlements().size());
        assertEquals(List.of(2L), ids(done.settlements().get(0)));
        assertEquals(Outcome.REQUEUE, done.settlements().get(1).outcome());
        assertEquals(List.of(), tx.commit().settlements());
    }

    @Test
    void rollbackForgetsPublishesAndTheAckedTagsCanBeAckedAgain() {
        tx.select();
        deliver(1);
        tx.publish("p");
        settle(1, false, Outcome.ACK);
        unacked.restore(tx.rollback());
        settle(1, false, Outcome.ACK); // RabbitMQ Transactions.rollbackAcksAndReAck
        Transaction.Committed<String> done = tx.commit();
        assertEquals(List.of(), done.publishes());
        assertEquals(List.of(1L), ids(done.settlements().get(0)));
    }

    @Test
    void shuffledAcksRolledBackCanBeAckedWithMultiple() {
        tx.select();
        deliver(3);
        settle(3, false, Outcome.ACK);
        settle(2, false, Outcome.ACK);
        unacked.restore(tx.rollback());
        settle(1, true, Outcome.ACK);
        settle(2, false, Outcome.ACK);
        settle(3, false, Outcome.ACK);
        assertEquals(3, tx.commit().settlements().size());
        assertEquals(0, unacked.size());
    }

    @Test
    void acksAndRejectsRolledBackThenSettledOtherwise() {
        tx.select();
        deliver(3);
        settle(2, false, Outcome.ACK);
        settle(1, false, Outcome.ACK);
        settle(3, false, Outcome.DISCARD);
        unacked.restore(tx.rollback());
        settle(3, false, Outcome.ACK);
        settle(1, false, Outcome.REQUEUE);
        settle(2, false, Outcome.DISCARD);
        List<Settlement> done = tx.commit().settlements();
        assertEquals(List.of(Outcome.ACK, Outcome.REQUEUE, Outcome.DISCARD), done.stream().map(Settlement::outcome).toList());
        assertEquals(List.of(1L), ids(done.get(1)));
    }

    @Test
    void anUnknownTagInATransactionFailsAtOnce() {
        tx.select();
        deliver(1);
        settle(1, false, Outcome.ACK);
        assertThrows(AmqpException.class, () -> settle(2, true, Outcome.ACK));
    }

    @Test
    void recoverInAnOpenTransactionLeavesTheAckedOnesOut() {
        tx.select();
        deliver(2);
        settle(1, false, Outcome.ACK);
        // basic.recover requeues what is still unacked: not tag 1 (RabbitMQ redeliverAckedUncommitted)
        assertEquals(List.of(2L), unacked.takeAll().stream().map(Unacked::tag).toList());
        assertEquals(List.of(1L), ids(tx.commit().settlements().get(0)));
    }
}
