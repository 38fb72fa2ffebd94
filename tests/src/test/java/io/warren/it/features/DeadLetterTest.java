package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** x-dead-letter-exchange / x-dead-letter-routing-key: rejected, expired and dropped messages, x-death. */
class DeadLetterTest extends FeatureTest {
    DeadLetterTest(BrokerUnderTest broker) {
        super(broker);
    }

    /** A direct DLX with one queue bound by {@code key}: [exchange, queue]. */
    private String[] deadLetterTarget(String key) throws Exception {
        String dlx = declareExchange("dlx", "direct");
        String dlq = declareQueue("dlq");
        channel.queueBind(dlq, dlx, key);
        return new String[] {dlx, dlq};
    }

    @Test
    void rejectedWithoutRequeueIsDeadLetteredWithXDeath() throws Exception {
        String[] target = deadLetterTarget("work-key");
        String source = declareExchange("src", "direct");
        String work = declareQueue("work", "x-dead-letter-exchange", target[0]);
        channel.queueBind(work, source, "work-key");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("app", "kept")).correlationId("c-1").build();
        long before = System.currentTimeMillis() / 1000 * 1000;
        publishConfirmed(source, "work-key", props, "poison");

        GetResponse got = awaitUnacked(work);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);

        GetResponse dead = awaitGet(target[1]);
        assertEquals("poison", text(dead.getBody()));
        assertEquals(target[0], dead.getEnvelope().getExchange());
        assertEquals("work-key", dead.getEnvelope().getRoutingKey());
        assertEquals("c-1", dead.getProps().getCorrelationId());
        assertEquals("kept", str(dead.getProps().getHeaders().get("app")));
        List<Map<String, Object>> deaths = xDeath(dead.getProps());
        assertEquals(1, deaths.size());
        Map<String, Object> death = deaths.get(0);
        assertEquals(1L, death.get("count"));
        assertEquals("rejected", str(death.get("reason")));
        assertEquals(work, str(death.get("queue")));
        assertEquals(source, str(death.get("exchange")));
        assertEquals(List.of("work-key"), strings(death.get("routing-keys")));
        Date time = (Date) death.get("time");
        assertTrue(time.getTime() >= before - 1000 && time.getTime() <= System.currentTimeMillis() + 1000, "time " + time);
        assertFalse(death.containsKey("original-expiration"), "no expiration was set");
        assertEquals("rejected", str(dead.getProps().getHeaders().get("x-first-death-reason")));
        assertEquals(work, str(dead.getProps().getHeaders().get("x-first-death-queue")));
        assertEquals(source, str(dead.getProps().getHeaders().get("x-first-death-exchange")));
    }

    @Test
    void nackWithoutRequeueDeadLettersEveryMessageOfAMultipleNack() throws Exception {
        String[] target = deadLetterTarget("k");
        String work = declareQueue("work", "x-dead-letter-exchange", target[0], "x-dead-letter-routing-key", "k");
        publishConfirmed("", work, "a", "b", "c");
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(work, false, consumer);
        List<Delivery> got = consumer.take(3);
        channel.basicNack(got.get(2).getEnvelope().getDeliveryTag(), true, false);

        awaitMessageCount(target[1], 3);
        List<String> bodies = drain(target[1]);
        assertEquals(List.of("a", "b", "c"), bodies);
        assertEquals(0, channel.queueDeclarePassive(work).getMessageCount());
    }

    @Test
    void deadLetterRoutingKeyReplacesTheMessagesKey() throws Exception {
        String[] target = deadLetterTarget("to-dlq");
        String work = declareQueue("work", "x-dead-letter-exchange", target[0],
                "x-dead-letter-routing-key", "to-dlq");
        publishConfirmed("", work, "m");
        GetResponse got = awaitUnacked(work);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);

        GetResponse dead = awaitGet(target[1]);
        assertEquals("m", text(dead.getBody()));
        assertEquals("to-dlq", dead.getEnvelope().getRoutingKey());
        // x-death keeps the key the message was published with
        assertEquals(List.of(work), strings(xDeath(dead.getProps()).get(0).get("routing-keys")));
        assertEquals("", str(xDeath(dead.getProps()).get(0).get("exchange")));
    }

    @Test
    void defaultExchangeAsDeadLetterExchangeRoutesByQueueName() throws Exception {
        String dlq = declareQueue("dlq");
        String work = declareQueue("work", "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq);
        publishConfirmed("", work, "x");
        GetResponse got = awaitUnacked(work);
        channel.basicNack(got.getEnvelope().getDeliveryTag(), false, false);
        assertEquals("x", text(awaitGet(dlq).getBody()));
    }

    @Test
    void expiredMessagesAreDeadLetteredWithOriginalExpiration() throws Exception {
        String[] target = deadLetterTarget("k");
        String work = declareQueue("work", "x-dead-letter-exchange", target[0], "x-dead-letter-routing-key", "k");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().expiration("100").build();
        publishConfirmed("", work, props, "short-lived");

        GetResponse dead = awaitGet(target[1]);
        assertEquals("short-lived", text(dead.getBody()));
        assertNull(dead.getProps().getExpiration(), "the expiration property is removed from the dead letter");
        Map<String, Object> death = xDeath(dead.getProps()).get(0);
        assertEquals("expired", str(death.get("reason")));
        assertEquals(work, str(death.get("queue")));
        assertEquals("100", str(death.get("original-expiration")));
        assertEquals(1L, death.get("count"));
    }

    @Test
    void queueTtlExpiryIsDeadLetteredWithoutOriginalExpiration() throws Exception {
        String[] target = deadLetterTarget("k");
        String work = declareQueue("work", "x-message-ttl", 100, "x-dead-letter-exchange", target[0],
                "x-dead-letter-routing-key", "k");
        publishConfirmed("", work, "gone");
        GetResponse dead = awaitGet(target[1]);
        Map<String, Object> death = xDeath(dead.getProps()).get(0);
        assertEquals("expired", str(death.get("reason")));
        assertFalse(death.containsKey("original-expiration"));
    }

    @Test
    void dropHeadOverflowDeadLettersTheOldestWithReasonMaxlen() throws Exception {
        String[] target = deadLetterTarget("k");
        String work = declareQueue("work", "x-max-length", 2, "x-dead-letter-exchange", target[0],
                "x-dead-letter-routing-key", "k");
        publishConfirmed("", work, "1", "2", "3", "4");

        awaitMessageCount(target[1], 2);
        GetResponse first = channel.basicGet(target[1], true);
        assertEquals("1", text(first.getBody()));
        assertEquals("maxlen", str(xDeath(first.getProps()).get(0).get("reason")));
        assertEquals("maxlen", str(first.getProps().getHeaders().get("x-first-death-reason")));
        assertEquals("2", text(channel.basicGet(target[1], true).getBody()));
        assertEquals(List.of("3", "4"), drain(work));
    }

    @Test
    void dyingTwiceInTheSameQueueForTheSameReasonCountsUp() throws Exception {
        // The DLX routes the rejected message back into its own queue: a rejection breaks the cycle rule.
        String dlx = declareExchange("dlx", "fanout");
        String work = declareQueue("work", "x-dead-letter-exchange", dlx);
        channel.queueBind(work, dlx, "");
        publishConfirmed("", work, "again");

        for (int round = 1; round <= 3; round++) {
            GetResponse got = awaitUnacked(work);
            if (round > 1) {
                List<Map<String, Object>> deaths = xDeath(got.getProps());
                assertEquals(1, deaths.size(), "one entry per (queue, reason)");
                assertEquals((long) (round - 1), deaths.get(0).get("count"));
                assertEquals(dlx, str(got.getEnvelope().getExchange()));
            }
            channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        }
    }

    @Test
    void twoDeathsInDifferentQueuesAreListedMostRecentFirst() throws Exception {
        String dlq = declareQueue("dlq");
        String second = declareQueue("second", "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq);
        String first = declareQueue("first", "x-message-ttl", 100, "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", second);
        publishConfirmed("", first, "traveller");

        GetResponse inSecond = awaitUnacked(second);
        channel.basicReject(inSecond.getEnvelope().getDeliveryTag(), false);

        GetResponse dead = awaitGet(dlq);
        List<Map<String, Object>> deaths = xDeath(dead.getProps());
        assertEquals(2, deaths.size());
        assertEquals("rejected", str(deaths.get(0).get("reason")));
        assertEquals(second, str(deaths.get(0).get("queue")));
        assertEquals("", str(deaths.get(0).get("exchange")));
        assertEquals(List.of(second), strings(deaths.get(0).get("routing-keys")));
        assertEquals("expired", str(deaths.get(1).get("reason")));
        assertEquals(first, str(deaths.get(1).get("queue")));
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertEquals("expired", str(headers.get("x-first-death-reason")));
        assertEquals(first, str(headers.get("x-first-death-queue")));
        if (headers.containsKey("x-last-death-reason") || !broker.isExternal()) {
            // RabbitMQ 3.13 adds x-last-death-*; 3.10 (the validation broker) does not write them.
            assertEquals("rejected", str(headers.get("x-last-death-reason")));
            assertEquals(second, str(headers.get("x-last-death-queue")));
            assertEquals("", str(headers.get("x-last-death-exchange")));
        }
    }

    @Test
    void anExpiryCycleIsBrokenByDroppingTheMessageForTheQueueItDiedIn() throws Exception {
        // work's DLX fans out to work itself and to an observer queue. With only expiries in the loop,
        // RabbitMQ drops the dead letter for work (it would cycle forever) and delivers it to the observer.
        String dlx = declareExchange("dlx", "fanout");
        String work = declareQueue("work", "x-message-ttl", 100, "x-dead-letter-exchange", dlx);
        String observer = declareQueue("observer");
        channel.queueBind(work, dlx, "");
        channel.queueBind(observer, dlx, "");
        publishConfirmed("", work, "loop");

        GetResponse dead = awaitGet(observer);
        assertEquals("loop", text(dead.getBody()));
        Thread.sleep(500);
        assertEquals(0, channel.queueDeclarePassive(observer).getMessageCount(), "dead-lettered exactly once");
        assertEquals(0, channel.queueDeclarePassive(work).getMessageCount(), "not re-queued into its own queue");
    }

    @Test
    void unroutableDeadLetterIsDropped() throws Exception {
        String dlx = declareExchange("dlx", "direct");
        String work = declareQueue("work", "x-dead-letter-exchange", dlx);
        publishConfirmed("", work, "nowhere");
        GetResponse got = awaitUnacked(work);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        Thread.sleep(200);
        assertEquals(0, channel.queueDeclarePassive(work).getMessageCount());
        Amqp.assertUsable(connection);
    }

    @Test
    void missingDeadLetterExchangeDropsTheMessageQuietly() throws Exception {
        String work = declareQueue("work", "x-dead-letter-exchange", Amqp.unique("no-such-exchange"));
        publishConfirmed("", work, "nowhere");
        GetResponse got = awaitUnacked(work);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        Thread.sleep(200);
        assertEquals(0, channel.queueDeclarePassive(work).getMessageCount());
        assertTrue(channel.isOpen(), "dead-lettering to a missing exchange is not a channel error");
    }

    @Test
    void confirmedPersistentMessageRejectedIsFoundInTheDurableDeadLetterQueue() throws Exception {
        String dlq = Amqp.unique("dlq.durable");
        String work = Amqp.unique("work.durable");
        channel.queueDeclare(dlq, true, false, false, null);
        deleteQueueAfterTest(dlq);
        channel.queueDeclare(work, true, false, false, args("x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", dlq));
        deleteQueueAfterTest(work);
        publishConfirmed("", work, new AMQP.BasicProperties.Builder()
                .deliveryMode(2).messageId("order-17").build(), "order");

        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicConsume(work, false, consumer);
        Delivery delivery = consumer.take();
        channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, false);

        GetResponse dead = awaitUnacked(dlq);
        assertEquals("order", text(dead.getBody()));
        assertEquals(2, dead.getProps().getDeliveryMode(), "still persistent");
        assertEquals("order-17", dead.getProps().getMessageId());
        assertEquals("rejected", str(xDeath(dead.getProps()).get(0).get("reason")));
        channel.basicAck(dead.getEnvelope().getDeliveryTag(), false);
        consumer.assertNoDelivery(Duration.ofMillis(200));
    }

    @Test
    void ccRoutingKeysAreRecordedInXDeath() throws Exception {
        String source = declareExchange("src", BuiltinExchangeType.DIRECT.getType());
        String dlq = declareQueue("dlq");
        String work = declareQueue("work", "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq);
        channel.queueBind(work, source, "cc-key");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("CC", List.of("cc-key"))).build();
        publishConfirmed(source, "main-key", props, "copied");
        GetResponse got = awaitUnacked(work);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        GetResponse dead = awaitGet(dlq);
        assertEquals(List.of("main-key", "cc-key"), strings(xDeath(dead.getProps()).get(0).get("routing-keys")));
    }

    /** RabbitMQ dead-letters with the message's own routing keys, its CC keys included, unless the queue has an
     *  x-dead-letter-routing-key; the CC header stays on the dead letter. */
    @Test
    void ccRoutingKeysRouteTheDeadLetter() throws Exception {
        String dlx = declareExchange("dlx", BuiltinExchangeType.DIRECT.getType());
        String mainTarget = declareQueue("dl-main");
        String ccTarget = declareQueue("dl-cc");
        channel.queueBind(mainTarget, dlx, "main-key");
        channel.queueBind(ccTarget, dlx, "cc-key");
        String source = declareExchange("src", BuiltinExchangeType.DIRECT.getType());
        String work = declareQueue("work", "x-dead-letter-exchange", dlx);
        channel.queueBind(work, source, "main-key");
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(Map.of("CC", List.of("cc-key"))).build();
        publishConfirmed(source, "main-key", props, "copied");
        GetResponse got = awaitUnacked(work);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);

        GetResponse viaMain = awaitGet(mainTarget);
        GetResponse viaCc = awaitGet(ccTarget);
        assertEquals("copied", text(viaCc.getBody()));
        assertEquals("main-key", viaCc.getEnvelope().getRoutingKey(), "routed by its CC key, addressed with its own");
        assertEquals(List.of("cc-key"), strings(viaMain.getProps().getHeaders().get("CC")));
        awaitMessageCount(mainTarget, 0);
        awaitMessageCount(ccTarget, 0);
    }
}
