package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionTest extends ConnectedTest {
    TransactionTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void publishesBecomeVisibleOnlyOnCommit() throws Exception {
        String queue = declareQueue("q.tx-commit");
        Channel tx = connection.createChannel();
        tx.txSelect();
        tx.basicPublish("", queue, null, bytes("1"));
        tx.basicPublish("", queue, null, bytes("2"));
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
        tx.txCommit();
        assertEquals(List.of("1", "2"), drain(queue));
    }

    @Test
    void rollbackDiscardsPublishes() throws Exception {
        String queue = declareQueue("q.tx-rollback");
        Channel tx = connection.createChannel();
        tx.txSelect();
        tx.basicPublish("", queue, null, bytes("discarded"));
        tx.txRollback();
        tx.basicPublish("", queue, null, bytes("kept"));
        tx.txCommit();
        assertEquals(List.of("kept"), drain(queue));
    }

    @Test
    void acksTakeEffectOnCommitAndRollbackKeepsThemUnacked() throws Exception {
        String queue = declareQueue("q.tx-ack");
        publishConfirmed("", queue, "a", "b");
        Channel tx = connection.createChannel();
        tx.txSelect();
        GetResponse a = tx.basicGet(queue, false);
        GetResponse b = tx.basicGet(queue, false);
        tx.basicAck(a.getEnvelope().getDeliveryTag(), false);
        tx.txCommit();
        tx.basicAck(b.getEnvelope().getDeliveryTag(), false);
        tx.txRollback();
        // b's ack was rolled back: it is still unacked, and closing the channel requeues it
        tx.close();
        GetResponse left = Amqp.awaitGet(channel, queue);
        assertEquals("b", text(left.getBody()));
        assertEquals(true, left.getEnvelope().isRedeliver());
        assertEquals(0, left.getMessageCount());
    }

    @Test
    void commitWithoutSelectIsPreconditionFailed() {
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, channel::txCommit);
    }

    @Test
    void rollbackWithoutSelectIsPreconditionFailed() {
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, channel::txRollback);
    }

    /** RabbitMQ Transactions.rollbackAcksAndReAck: the rolled-back ack's tag is unacked again, so it may be acked again. */
    @Test
    void aRolledBackAckMayBeSentAgain() throws Exception {
        String queue = declareQueue("q.tx-reack");
        publishConfirmed("", queue, "m");
        Channel tx = connection.createChannel();
        tx.txSelect();
        GetResponse got = tx.basicGet(queue, false);
        long tag = got.getEnvelope().getDeliveryTag();
        tx.basicAck(tag, false);
        tx.txRollback();
        tx.basicAck(tag, false);
        tx.txCommit();
        tx.close();
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
    }

    /** RabbitMQ Transactions.shuffleAcksBeforeRollback: after a rollback, multiple=true covers the rolled-back tags. */
    @Test
    void shuffledAcksRolledBackThenAckedAgainAndCommitted() throws Exception {
        String queue = declareQueue("q.tx-shuffle");
        publishConfirmed("", queue, "a", "b", "c");
        Channel tx = connection.createChannel();
        tx.txSelect();
        long[] tags = new long[3];
        for (int i = 0; i < 3; i++) tags[i] = tx.basicGet(queue, false).getEnvelope().getDeliveryTag();
        tx.basicAck(tags[2], false);
        tx.basicAck(tags[1], false);
        tx.txRollback();
        tx.basicAck(tags[0], true);
        tx.basicAck(tags[1], false);
        tx.basicAck(tags[2], false);
        tx.txCommit();
        tx.close();
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
    }

    /** RabbitMQ Transactions.commitAcksAndNacks / commitAcksAndRejects: the committed settlements are the later ones. */
    @Test
    void acksAndNacksRolledBackThenSettledOtherwise() throws Exception {
        String queue = declareQueue("q.tx-acknack");
        publishConfirmed("", queue, "a", "b", "c");
        Channel tx = connection.createChannel();
        tx.txSelect();
        long[] tags = new long[3];
        for (int i = 0; i < 3; i++) tags[i] = tx.basicGet(queue, false).getEnvelope().getDeliveryTag();
        tx.basicAck(tags[1], false);
        tx.basicAck(tags[0], false);
        tx.basicNack(tags[2], false, false);
        tx.txRollback();
        tx.basicAck(tags[2], false);
        tx.basicNack(tags[0], false, true);
        tx.basicReject(tags[1], false);
        tx.txCommit();
        GetResponse requeued = tx.basicGet(queue, true);
        assertEquals("a", text(requeued.getBody()));
        assertEquals(null, tx.basicGet(queue, true));
        tx.close();
    }

    /** RabbitMQ Transactions.redeliverAckedUncommitted: basic.recover does not requeue what the open transaction acked. */
    @Test
    void recoverDoesNotRedeliverAnAckedUncommittedMessage() throws Exception {
        String queue = declareQueue("q.tx-recover");
        publishConfirmed("", queue, "m");
        Channel tx = connection.createChannel();
        tx.txSelect();
        GetResponse got = tx.basicGet(queue, false);
        tx.basicAck(got.getEnvelope().getDeliveryTag(), false);
        tx.basicRecover(true);
        assertEquals(null, tx.basicGet(queue, true), "acked uncommitted message redelivered");
        tx.txCommit();
        tx.close();
        assertEquals(0, channel.queueDeclarePassive(queue).getMessageCount());
    }
}
