package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.warren.amqp.BasicProperties;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueEvent;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Messages enqueued and removed within one group commit are not written at all; everything else is, in order. */
class ConsumedBeforeWrittenTest {

    private static QueueEvent.Enqueued enqueued(long seq) {
        return new QueueEvent.Enqueued(seq, new Message("m" + seq, "", "q", BasicProperties.EMPTY.withDeliveryMode(2),
                ByteString.fromString("body")), 1);
    }

    @Test
    void messagesAckedBeforeTheirWriteAreLeftOutWithTheirRemoval() {
        List<QueueEvent> run = List.of(enqueued(5), enqueued(6), new QueueEvent.Removed(new long[] {1, 5}), enqueued(7),
                new QueueEvent.Removed(new long[] {6}));
        List<QueueEvent> kept = QueueJournal.withoutConsumed(run);
        assertEquals(2, kept.size());
        assertEquals(new QueueEvent.Removed(new long[] {1}), kept.get(0));
        assertEquals(enqueued(7), kept.get(1));
    }

    @Test
    void removalsOfMessagesWrittenEarlierStay() {
        List<QueueEvent> run = List.of(new QueueEvent.Removed(new long[] {1, 2}), enqueued(3));
        assertSame(run, QueueJournal.withoutConsumed(run));
        List<QueueEvent> removedFirst = List.of(enqueued(3), new QueueEvent.Removed(new long[] {1, 2}));
        assertSame(removedFirst, QueueJournal.withoutConsumed(removedFirst));
    }

    @Test
    void aRunOfOnlyConsumedMessagesLeavesNothingToWrite() {
        List<QueueEvent> run = List.of(enqueued(1), new QueueEvent.Removed(new long[] {1}));
        assertEquals(List.of(), QueueJournal.withoutConsumed(run));
    }
}
