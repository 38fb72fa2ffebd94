package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LengthLimitTest {

    private static final ConsumerKey A = new ConsumerKey("ch1", "a");

    @Test
    void dropHeadDropsTheOldest() {
        QueueState q = queue(Map.of("x-max-length", 2));
        for (int i = 1; i <= 3; i++) assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m" + i), 1));
        assertEquals(2, q.messageCount());
        assertEquals("m2", q.get("ch1", true, 1).orElseThrow().message().id());
    }

    @Test
    void dropHeadDeadLettersWithReasonMaxlen() {
        QueueState q = queue(Map.of("x-max-length", 1, "x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1"), 1);
        q.publish(msg("m2"), 1);
        List<QueueEffect.DeadLetter> dls = deadLetters(q.takeEffects());
        assertEquals(1, dls.size());
        assertEquals("maxlen", dls.get(0).message().properties().headers().get("x-first-death-reason"));
        assertEquals(1, q.messageCount());
    }

    @Test
    void maxLengthBytesCountsReadyBodies() {
        QueueState q = queue(Map.of("x-max-length-bytes", 10));
        q.publish(sized("a", 4), 1);
        q.publish(sized("b", 4), 1);
        q.publish(sized("c", 4), 1); // 12 > 10: a goes
        assertEquals(2, q.messageCount());
        assertEquals(8, q.readyBytes());
        assertEquals("b", q.get("ch1", true, 1).orElseThrow().message().id());
    }

    @Test
    void rejectPublishRefusesWhenFullAndDoesNotDeadLetter() {
        QueueState q = queue(Map.of("x-max-length", 2, "x-overflow", "reject-publish",
                "x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1"), 1);
        q.publish(msg("m2"), 1);
        q.takeEffects();
        assertEquals(PublishOutcome.REJECTED, q.publish(msg("m3"), 1));
        assertEquals(List.of(new QueueEffect.PublishRejected("m3")), q.takeEffects());
        assertEquals(2, q.messageCount());
        assertEquals(PublishOutcome.REJECTED, q.publish(msg("m4"), 1), "still full");
        q.get("ch1", true, 1);
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m5"), 1), "room again");
    }

    @Test
    void rejectPublishByBytes() {
        QueueState q = queue(Map.of("x-max-length-bytes", 10, "x-overflow", "reject-publish"));
        assertEquals(PublishOutcome.ACCEPTED, q.publish(sized("a", 10), 1));
        assertEquals(PublishOutcome.REJECTED, q.publish(sized("b", 1), 1));
        assertEquals(PublishOutcome.ACCEPTED, q.publish(sized("c", 0), 1), "an empty body fits");
    }

    @Test
    void rejectPublishDlxRefusesAndDeadLettersTheNewMessage() {
        QueueState q = queue(Map.of("x-max-length", 1, "x-overflow", "reject-publish-dlx",
                "x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1"), 1);
        q.takeEffects();
        assertEquals(PublishOutcome.REJECTED, q.publish(msg("m2"), 1));
        List<QueueEffect> effects = q.takeEffects();
        List<QueueEffect.DeadLetter> dls = deadLetters(effects);
        assertEquals(1, dls.size());
        assertEquals("maxlen", dls.get(0).message().properties().headers().get("x-last-death-reason"));
        assertEquals("body-m2", bodyText(dls.get(0).message()));
        assertTrue(effects.contains(new QueueEffect.PublishRejected("m2")));
        assertEquals(1, q.messageCount());
    }

    @Test
    void limitsCountReadyMessagesOnly() {
        QueueState q = queue(Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        q.publish(msg("m1"), 1);
        q.get("ch1", false, 1).orElseThrow();
        assertEquals(PublishOutcome.ACCEPTED, q.publish(msg("m2"), 1), "the unacked one does not count");
    }

    @Test
    void maxLengthZeroStillFeedsAWaitingConsumerWithDropHeadButNotWithRejectPublish() {
        QueueState dropHead = queue(Map.of("x-max-length", 0));
        dropHead.addConsumer(A, true, 0, 0, false);
        assertEquals(PublishOutcome.ACCEPTED, dropHead.publish(msg("m1"), 1));
        assertEquals(List.of("m1"), ids(deliveries(dropHead.takeEffects())));

        QueueState reject = queue(Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
        reject.addConsumer(A, true, 0, 0, false);
        assertEquals(PublishOutcome.REJECTED, reject.publish(msg("m1"), 1));
    }

    @Test
    void requeueOverTheLimitDropsTheHead() {
        QueueState q = queue(Map.of("x-max-length", 2));
        q.publish(msg("m1"), 1);
        GetResult g = q.get("ch1", false, 1).orElseThrow();
        q.publish(msg("m2"), 1);
        q.publish(msg("m3"), 1);
        q.reject("ch1", new long[] {g.deliveryId()}, true); // m1 m2 m3: over by one, m1 goes
        assertEquals(2, q.messageCount());
        assertEquals("m2", q.get("ch1", true, 1).orElseThrow().message().id());
    }
}
