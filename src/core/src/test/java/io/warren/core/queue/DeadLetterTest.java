package io.warren.core.queue;

import static io.warren.core.queue.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.BasicProperties;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    private static QueueState named(String name, Map<String, Object> args) {
        QueueDefinition d = new QueueDefinition("/", name, true, false, false, args);
        return new QueueState(d, QueueArguments.parse(d), 0);
    }

    /** Rejects (requeue=false) the only message the queue holds and returns the dead letter. */
    private static QueueEffect.DeadLetter rejectOne(QueueState q, long now) {
        q.takeEffects();
        GetResult g = q.get("ch1", false, now).orElseThrow();
        q.reject("ch1", new long[] {g.deliveryId()}, false);
        List<QueueEffect.DeadLetter> dls = deadLetters(q.takeEffects());
        assertEquals(1, dls.size());
        return dls.get(0);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> xDeath(Message m) {
        return (List<Map<String, Object>>) (List<?>) m.properties().headers().get("x-death");
    }

    @Test
    void aNewDeadLetterRoutingKeyDropsTheCcHeader() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx", "x-dead-letter-routing-key", "other"));
        q.publish(new Message("m1", "amq.direct", "test", BasicProperties.EMPTY.withHeaders(Map.of("CC", List.of("foo"))),
                ByteString.fromString("x")), 1_000);
        Message dead = rejectOne(q, 2_000).message();
        assertNull(dead.properties().headers().get("CC"));
        assertEquals(List.of("test", "foo"), xDeath(dead).get(0).get("routing-keys"));
        QueueState keep = queue(Map.of("x-dead-letter-exchange", "dlx"));
        keep.publish(new Message("m2", "amq.direct", "test", BasicProperties.EMPTY.withHeaders(Map.of("CC", List.of("foo"))),
                ByteString.fromString("x")), 1_000);
        assertEquals(List.of("foo"), rejectOne(keep, 2_000).message().properties().headers().get("CC"));
    }

    @Test
    void aDeadLetterIsRoutedWithItsCcKeysUnlessADeadLetterRoutingKeyReplacesThem() {
        Map<String, Object> cc = new HashMap<>(Map.of("CC", List.of("foo", 7L, "bar")));
        QueueState keep = queue(Map.of("x-dead-letter-exchange", "dlx"));
        keep.publish(new Message("m1", "amq.direct", "test", BasicProperties.EMPTY.withHeaders(cc),
                ByteString.fromString("x")), 1_000);
        assertEquals(List.of("test", "foo", "bar"), rejectOne(keep, 2_000).routingKeys(), "only longstr elements route");
        QueueState replace = queue(Map.of("x-dead-letter-exchange", "dlx", "x-dead-letter-routing-key", "other"));
        replace.publish(new Message("m2", "amq.direct", "test", BasicProperties.EMPTY.withHeaders(cc),
                ByteString.fromString("x")), 1_000);
        assertEquals(List.of("other"), rejectOne(replace, 2_000).routingKeys());
        QueueState plain = queue(Map.of("x-dead-letter-exchange", "dlx"));
        plain.publish(msg("m3"), 1_000);
        assertEquals(List.of(msg("m3").routingKey()), rejectOne(plain, 2_000).routingKeys());
    }

    @Test
    void rejectedMessageCarriesXDeathAndIsAddressedToTheDlx() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx"));
        Message original = new Message("m1", "orders", "new", BasicProperties.EMPTY.withHeaders(Map.of("k", "v")),
                ByteString.fromString("payload"));
        q.publish(original, 1_000);
        QueueEffect.DeadLetter dl = rejectOne(q, 5_500);
        assertEquals("dlx", dl.exchange());
        assertEquals("new", dl.routingKey(), "no x-dead-letter-routing-key: keeps its routing key");
        Message m = dl.message();
        assertEquals("dlx", m.exchange());
        assertNotEquals("m1", m.id());
        assertSame(original.body(), m.body(), "body not copied");
        Map<String, Object> h = m.properties().headers();
        assertEquals("v", h.get("k"));
        assertEquals("rejected", h.get("x-first-death-reason"));
        assertEquals("q", h.get("x-first-death-queue"));
        assertEquals("orders", h.get("x-first-death-exchange"));
        assertEquals("rejected", h.get("x-last-death-reason"));
        assertEquals("q", h.get("x-last-death-queue"));
        assertEquals("orders", h.get("x-last-death-exchange"));
        List<Map<String, Object>> deaths = xDeath(m);
        assertEquals(1, deaths.size());
        Map<String, Object> death = deaths.get(0);
        assertEquals(1L, death.get("count"));
        assertEquals("rejected", death.get("reason"));
        assertEquals("q", death.get("queue"));
        assertEquals("orders", death.get("exchange"));
        assertEquals(List.of("new"), death.get("routing-keys"));
        assertEquals(new Date(5_000), death.get("time"), "timestamp, second precision");
        assertFalse(death.containsKey("original-expiration"));
    }

    @Test
    void deadLetterRoutingKeyReplacesTheRoutingKeyAndCcKeysAreRecorded() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx", "x-dead-letter-routing-key", "dead"));
        Message m = new Message("m1", "ex", "rk", BasicProperties.EMPTY.withHeaders(Map.of("CC", List.of("cc1"))),
                ByteString.emptyByteString());
        q.publish(m, 0);
        QueueEffect.DeadLetter dl = rejectOne(q, 0);
        assertEquals("dead", dl.routingKey());
        assertEquals("dead", dl.message().routingKey());
        assertEquals(List.of("rk", "cc1"), xDeath(dl.message()).get(0).get("routing-keys"));
    }

    @Test
    void perMessageExpirationMovesToOriginalExpiration() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx"));
        q.publish(withExpiration("m1", "100"), 0);
        q.takeEffects();
        q.tick(100);
        QueueEffect.DeadLetter dl = deadLetters(q.takeEffects()).get(0);
        assertNull(dl.message().properties().expiration(), "expiration removed");
        Map<String, Object> death = xDeath(dl.message()).get(0);
        assertEquals("expired", death.get("reason"));
        assertEquals("100", death.get("original-expiration"));
    }

    @Test
    void dyingAgainInTheSameQueueForTheSameReasonCountsUp() {
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1"), 0);
        Message once = rejectOne(q, 1_000).message();
        q.publish(once, 2_000); // the DLX routed it back here
        Message twice = rejectOne(q, 3_000).message();
        List<Map<String, Object>> deaths = xDeath(twice);
        assertEquals(1, deaths.size());
        assertEquals(2L, deaths.get(0).get("count"));
        assertEquals(new Date(1_000), deaths.get(0).get("time"), "first death's time is kept");
        assertEquals("ex", deaths.get(0).get("exchange"), "first death's exchange is kept");
        assertEquals("ex", twice.properties().headers().get("x-first-death-exchange"));
        assertEquals("dlx", twice.properties().headers().get("x-last-death-exchange"));
    }

    @Test
    void aNewDeathGoesFirstAndARepeatedOneMovesToTheFront() {
        QueueState q1 = named("q1", Map.of("x-dead-letter-exchange", "dlx"));
        QueueState q2 = named("q2", Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 10));
        q1.publish(msg("m1"), 0);
        Message a = rejectOne(q1, 0).message();           // [q1/rejected]
        q2.publish(a, 0);
        q2.takeEffects();
        q2.tick(10);
        Message b = deadLetters(q2.takeEffects()).get(0).message(); // [q2/expired, q1/rejected]
        assertEquals(List.of("q2", "q1"), xDeath(b).stream().map(d -> d.get("queue")).toList());
        q1.publish(b, 20);
        Message c = rejectOne(q1, 20).message();           // [q1/rejected x2, q2/expired]
        List<Map<String, Object>> deaths = xDeath(c);
        assertEquals(List.of("q1", "q2"), deaths.stream().map(d -> d.get("queue")).toList());
        assertEquals(List.of(2L, 1L), deaths.stream().map(d -> d.get("count")).toList());
        Map<String, Object> h = c.properties().headers();
        assertEquals("rejected", h.get("x-first-death-reason"));
        assertEquals("q1", h.get("x-first-death-queue"));
        assertEquals("q1", h.get("x-last-death-queue"));
        assertEquals("rejected", h.get("x-last-death-reason"));
    }

    @Test
    void cyclesWithoutARejectionAreDetected() {
        QueueState q1 = named("q1", Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 10));
        q1.publish(msg("m1"), 0);
        q1.takeEffects();
        q1.tick(10);
        QueueEffect.DeadLetter expired = deadLetters(q1.takeEffects()).get(0);
        assertTrue(expired.cyclesInto("q1"), "expired back into q1: a cycle, dropped for q1");
        assertFalse(expired.cyclesInto("q2"));

        // through q2 by expiry again: still automatic, still a cycle for q1
        QueueState q2 = named("q2", Map.of("x-dead-letter-exchange", "dlx2", "x-message-ttl", 10));
        q2.publish(expired.message(), 20);
        q2.takeEffects();
        q2.tick(30);
        QueueEffect.DeadLetter again = deadLetters(q2.takeEffects()).get(0);
        assertTrue(again.cyclesInto("q1"));
        assertTrue(again.cyclesInto("q2"));
    }

    @Test
    void aRejectionInTheCycleBreaksIt() {
        QueueState q1 = named("q1", Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 10));
        q1.publish(msg("m1"), 0);
        q1.takeEffects();
        q1.tick(10);
        Message expiredInQ1 = deadLetters(q1.takeEffects()).get(0).message();
        QueueState q2 = named("q2", Map.of("x-dead-letter-exchange", "dlx"));
        q2.publish(expiredInQ1, 20);
        QueueEffect.DeadLetter rejectedInQ2 = rejectOne(q2, 30);
        assertFalse(rejectedInQ2.cyclesInto("q1"), "a consumer rejected it: not an automatic cycle");
        assertFalse(rejectedInQ2.cyclesInto("q2"));
    }

    @Test
    void persistentDeadLetterIsRemovedFromTheJournalOnlyWhenSettled() {
        QueueState q = durableQueue(Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 10));
        q.publish(persistent("p1"), 0);
        q.publish(msg("t1"), 0);
        q.takeEffects();
        q.tick(10);
        List<QueueEffect> effects = q.takeEffects();
        List<QueueEffect.DeadLetter> dls = deadLetters(effects);
        assertEquals(2, dls.size());
        assertTrue(journal(effects).isEmpty(), "nothing removed before settlement");
        assertEquals(0, q.messageCount());
        assertEquals(List.of("p1"), q.snapshot().messages().stream().map(e -> e.message().id()).toList(),
                "a crash now brings it back");
        q.deadLetterSettled(dls.get(1).seq()); // the transient one: nothing to journal
        assertTrue(q.takeEffects().isEmpty());
        q.deadLetterSettled(dls.get(0).seq());
        assertEquals(List.of(new QueueEvent.Removed(new long[] {dls.get(0).seq()})), journal(q.takeEffects()));
        assertTrue(q.snapshot().messages().isEmpty());
        q.deadLetterSettled(dls.get(0).seq());
        assertTrue(q.takeEffects().isEmpty(), "settling twice is harmless");
    }

    @Test
    void deadLetterIdsAreDeterministicPerDeath() {
        QueueState a = queue(Map.of("x-dead-letter-exchange", "dlx"));
        QueueState b = queue(Map.of("x-dead-letter-exchange", "dlx"));
        a.publish(msg("m1"), 0);
        b.publish(msg("m1"), 0);
        assertEquals(rejectOne(a, 0).message().id(), rejectOne(b, 0).message().id());
    }

    @Test
    void existingHeadersAreNotMutated() {
        Map<String, Object> headers = new HashMap<>(Map.of("k", "v"));
        QueueState q = queue(Map.of("x-dead-letter-exchange", "dlx"));
        q.publish(msg("m1", BasicProperties.EMPTY.withHeaders(headers)), 0);
        rejectOne(q, 0);
        assertEquals(Map.of("k", "v"), headers);
    }
}
