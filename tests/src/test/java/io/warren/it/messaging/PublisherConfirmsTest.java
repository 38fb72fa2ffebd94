package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublisherConfirmsTest extends ConnectedTest {
    PublisherConfirmsTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void sequenceNumbersStartAtOneAndEveryPublishIsAcked() throws Exception {
        String queue = declareQueue("q.confirms");
        channel.confirmSelect();
        int count = 2_000;
        ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
        AtomicInteger multipleAcks = new AtomicInteger();
        AtomicBoolean nacked = new AtomicBoolean();
        CountDownLatch allAcked = new CountDownLatch(1);
        channel.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                if (multiple) {
                    multipleAcks.incrementAndGet();
                    for (long t = 1; t <= tag; t++) {
                        acked.add(t);
                    }
                } else {
                    assertTrue(acked.add(tag), "tag " + tag + " acked twice");
                }
                if (acked.size() == count) {
                    allAcked.countDown();
                }
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                nacked.set(true);
            }
        });
        for (int i = 1; i <= count; i++) {
            assertEquals(i, channel.getNextPublishSeqNo());
            channel.basicPublish("", queue, null, bytes("m" + i));
        }
        assertTrue(allAcked.await(20, TimeUnit.SECONDS), "acked " + acked.size() + " of " + count);
        assertEquals(count, acked.size());
        assertEquals(count, (long) acked.last());
        assertTrue(!nacked.get(), "no message may be nacked");
        assertTrue(channel.waitForConfirms(5_000));
        Amqp.awaitMessageCount(channel, queue, count);
    }

    @Test
    void unroutableMessagesAreConfirmedToo() throws Exception {
        String exchange = declareExchange("x.confirm-nowhere", "direct");
        channel.confirmSelect();
        channel.basicPublish(exchange, "nobody", null, bytes("x"));
        channel.basicPublish(exchange, "nobody", true, null, bytes("y"));
        assertTrue(channel.waitForConfirms(5_000));
    }

    @Test
    void confirmSelectIsIdempotentAndNoWaitWorks() throws Exception {
        String queue = declareQueue("q.confirm-twice");
        channel.confirmSelect();
        channel.confirmSelect();
        channel.basicPublish("", queue, null, bytes("x"));
        channel.waitForConfirmsOrDie(5_000);
        Amqp.awaitMessageCount(channel, queue, 1);
    }

    @Test
    void confirmModeOnATransactionalChannelIsPreconditionFailed() throws Exception {
        channel.txSelect();
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel, channel::confirmSelect);
        Channel confirming = connection.createChannel();
        confirming.confirmSelect();
        Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, confirming, confirming::txSelect);
    }

    /** RabbitMQ Metrics.metricsPublisherAck: a single confirmed publish is acked with multiple=false. */
    @Test
    void aSingleConfirmedPublishIsAckedWithoutMultiple() throws Exception {
        String queue = declareQueue("q.confirm-single");
        Channel confirming = connection.createChannel();
        confirming.confirmSelect();
        java.util.List<String> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
        confirming.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                acks.add(tag + "/" + multiple);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                acks.add("nack " + tag);
            }
        });
        for (int i = 1; i <= 3; i++) {
            confirming.basicPublish("", queue, null, bytes("m" + i));
            confirming.waitForConfirmsOrDie(10_000);
            assertEquals("" + i + "/false", acks.get(acks.size() - 1));
        }
        assertEquals(3, acks.size());
        confirming.close();
    }
}
