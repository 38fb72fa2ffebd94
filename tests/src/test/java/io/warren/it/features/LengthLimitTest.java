package io.warren.it.features;

import com.rabbitmq.client.Channel;
import io.warren.it.BrokerUnderTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** x-max-length, x-max-length-bytes and the three x-overflow modes. */
class LengthLimitTest extends FeatureTest {
    LengthLimitTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void dropHeadKeepsTheNewestMessages() throws Exception {
        String queue = declareQueue("maxlen", "x-max-length", 3);
        publishConfirmed("", queue, "1", "2", "3", "4", "5");
        assertEquals(List.of("3", "4", "5"), drain(queue));
    }

    @Test
    void explicitDropHeadIsTheDefault() throws Exception {
        String queue = declareQueue("maxlen", "x-max-length", 1, "x-overflow", "drop-head");
        publishConfirmed("", queue, "old", "new");
        assertEquals(List.of("new"), drain(queue));
    }

    @Test
    void maxLengthZeroKeepsNothing() throws Exception {
        String queue = declareQueue("maxlen", "x-max-length", 0);
        publishConfirmed("", queue, "a", "b");
        assertEquals(List.of(), drain(queue));
    }

    @Test
    void maxLengthBytesCountsBodies() throws Exception {
        String queue = declareQueue("maxbytes", "x-max-length-bytes", 10);
        publishConfirmed("", queue, "aaaa", "bbbb", "cccc"); // 12 bytes: the oldest goes
        assertEquals(List.of("bbbb", "cccc"), drain(queue));
    }

    @Test
    void unackedMessagesDoNotCountAgainstTheLimit() throws Exception {
        String queue = declareQueue("maxlen", "x-max-length", 1);
        publishConfirmed("", queue, "taken");
        var taken = awaitUnacked(queue);
        publishConfirmed("", queue, "ready");
        assertEquals(1, channel.queueDeclarePassive(queue).getMessageCount());
        channel.basicAck(taken.getEnvelope().getDeliveryTag(), false);
        assertEquals(List.of("ready"), drain(queue));
    }

    /** Publishes each body on a confirm channel and returns the bodies the broker nacked. */
    private List<String> publishCollectingNacks(String queue, String... bodies) throws Exception {
        Channel confirms = connection.createChannel();
        confirms.confirmSelect();
        ConcurrentSkipListSet<Long> outstanding = new ConcurrentSkipListSet<>();
        ConcurrentSkipListSet<Long> nacked = new ConcurrentSkipListSet<>();
        ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
        for (long tag = 1; tag <= bodies.length; tag++) {
            outstanding.add(tag);
        }
        confirms.addConfirmListener((tag, multiple) -> settle(outstanding, acked, tag, multiple),
                (tag, multiple) -> settle(outstanding, nacked, tag, multiple));
        for (String body : bodies) {
            confirms.basicPublish("", queue, null, bytes(body));
        }
        confirms.waitForConfirms(10_000); // false when any was nacked: the listeners say which
        assertEquals(List.of(), List.copyOf(outstanding), "every publish confirmed");
        List<String> result = new ArrayList<>();
        for (long tag : nacked) {
            result.add(bodies[(int) tag - 1]);
        }
        confirms.close();
        return result;
    }

    /** A confirm settles {@code tag}, or with multiple=true every still-outstanding tag up to it. */
    private static void settle(ConcurrentSkipListSet<Long> outstanding, ConcurrentSkipListSet<Long> into,
                               long tag, boolean multiple) {
        var settled = multiple ? List.copyOf(outstanding.headSet(tag, true)) : List.of(tag);
        for (long t : settled) {
            assertTrue(outstanding.remove(t), "tag " + t + " confirmed twice");
            into.add(t);
        }
    }

    @Test
    void rejectPublishNacksTheMessagesOverTheLimit() throws Exception {
        String queue = declareQueue("reject", "x-max-length", 2, "x-overflow", "reject-publish");
        List<String> nacked = publishCollectingNacks(queue, "1", "2", "3", "4");
        assertEquals(List.of("3", "4"), nacked);
        assertEquals(List.of("1", "2"), drain(queue));
    }

    @Test
    void rejectPublishAcceptsAgainOnceThereIsRoom() throws Exception {
        String queue = declareQueue("reject", "x-max-length", 1, "x-overflow", "reject-publish");
        assertEquals(List.of("2"), publishCollectingNacks(queue, "1", "2"));
        assertEquals(List.of("1"), drain(queue));
        assertEquals(List.of(), publishCollectingNacks(queue, "3"));
        assertEquals(List.of("3"), drain(queue));
    }

    @Test
    void rejectPublishWithoutConfirmsDropsSilently() throws Exception {
        String queue = declareQueue("reject", "x-max-length", 1, "x-overflow", "reject-publish");
        channel.basicPublish("", queue, null, bytes("kept"));
        channel.basicPublish("", queue, null, bytes("dropped"));
        awaitMessageCount(queue, 1);
        Thread.sleep(100);
        assertEquals(List.of("kept"), drain(queue));
        assertTrue(channel.isOpen());
    }

    @Test
    void rejectPublishByBytes() throws Exception {
        String queue = declareQueue("reject", "x-max-length-bytes", 5, "x-overflow", "reject-publish");
        assertEquals(List.of("456"), publishCollectingNacks(queue, "123", "45", "456"));
        assertEquals(List.of("123", "45"), drain(queue));
    }

    @Test
    void rejectPublishDlxNacksAndDeadLettersTheRefusedMessage() throws Exception {
        String dlq = declareQueue("dlq");
        String queue = declareQueue("reject-dlx", "x-max-length", 1, "x-overflow", "reject-publish-dlx",
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq);
        assertEquals(List.of("2"), publishCollectingNacks(queue, "1", "2"));
        var dead = awaitGet(dlq);
        assertEquals("2", text(dead.getBody()));
        assertEquals("maxlen", str(xDeath(dead.getProps()).get(0).get("reason")));
        assertEquals(queue, str(xDeath(dead.getProps()).get(0).get("queue")));
        assertEquals(List.of("1"), drain(queue));
    }

    @Test
    void rejectPublishDoesNotDeadLetter() throws Exception {
        String dlq = declareQueue("dlq");
        String queue = declareQueue("reject", "x-max-length", 1, "x-overflow", "reject-publish",
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", dlq);
        assertEquals(List.of("2"), publishCollectingNacks(queue, "1", "2"));
        Thread.sleep(200);
        assertEquals(0, channel.queueDeclarePassive(dlq).getMessageCount());
    }
}
