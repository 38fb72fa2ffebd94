package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Arguments changed under a queue that holds messages (a policy set, changed or cleared) act at once. */
class AppliedArgumentsTest {

    @Test
    void aNewMessageTtlExpiresMessagesAlreadyHeldFromTheirEnqueueTime() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx"));
        q.publish(msg("old"), 1_000);
        q.publish(msg("new"), 5_000);
        q.takeEffects();
        q.applyArguments(QueueArguments.parse(Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 3_000L)), 6_000);
        List<QueueEffect.DeadLetter> dls = deadLetters(q.takeEffects());
        assertEquals(1, dls.size(), "enqueued at 1000, TTL 3000: expired at 4000");
        assertEquals("body-old", bodyText(dls.get(0).message()));
        assertEquals("expired", dls.get(0).message().properties().headers().get("x-first-death-reason"));
        assertEquals(1, q.messageCount());
        assertEquals(OptionalLong.of(8_000), q.nextDeadline(), "the other expires at 5000 + 3000");
        q.tick(8_000);
        assertEquals(0, q.messageCount());
    }

    @Test
    void clearingTheTtlKeepsMessagesThatWouldHaveExpired() {
        QueueState q = queue(Map.of("x-message-ttl", 1_000));
        q.publish(msg("m"), 1_000);
        q.applyArguments(QueueArguments.NONE, 1_500);
        assertEquals(OptionalLong.empty(), q.nextDeadline());
        q.tick(10_000);
        assertEquals(1, q.messageCount());
    }

    @Test
    void aPerMessageExpirationStillWinsWhenLower() {
        QueueState q = queue(Map.of());
        q.publish(withExpiration("short", "100"), 1_000);
        q.applyArguments(QueueArguments.parse(Map.of("x-message-ttl", 60_000L)), 1_050);
        assertEquals(OptionalLong.of(1_100), q.nextDeadline());
    }

    @Test
    void aNewMaxLengthDropsTheHeadAtOnce() {
        QueueState q = queue(Map.of());
        for (int i = 1; i <= 5; i++) q.publish(msg("m" + i), 1);
        q.applyArguments(QueueArguments.parse(Map.of("x-max-length", 2L, "x-dead-letter-exchange", "dlx")), 2);
        assertEquals(List.of("body-m1", "body-m2", "body-m3"), deadLetters(q.takeEffects()).stream().map(d -> bodyText(d.message())).toList());
        assertEquals(2, q.messageCount());
        assertEquals("m4", q.get("ch1", true, 3).orElseThrow().message().id());
    }

    @Test
    void rejectPublishFromANewLimitRefusesFurtherPublishes() {
        QueueState q = queue(Map.of());
        q.publish(msg("m1"), 1);
        q.applyArguments(QueueArguments.parse(Map.of("x-max-length", 1L, "x-overflow", "reject-publish")), 2);
        assertEquals(1, q.messageCount(), "reject-publish keeps what it holds");
        assertEquals(PublishOutcome.REJECTED, q.publish(msg("m2"), 3));
    }
}
