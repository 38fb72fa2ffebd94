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
}
