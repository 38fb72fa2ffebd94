package io.warren.it.cluster;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * A confirming publisher's messages in doubt, by publish sequence number: a broker's ack or nack (single or
 * multiple) hands the ids it settles to the test's callbacks, each id exactly once.
 */
final class OutstandingConfirms {
    private final ConcurrentSkipListMap<Long, String> outstanding = new ConcurrentSkipListMap<>();

    /** Tracks {@code ch}'s confirms: {@code acked} and {@code nacked} get the ids each answer settles. */
    static OutstandingConfirms track(Channel ch, Consumer<List<String>> acked, Consumer<List<String>> nacked) {
        OutstandingConfirms confirms = new OutstandingConfirms();
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long seq, boolean multiple) {
                acked.accept(confirms.settle(seq, multiple));
            }

            @Override
            public void handleNack(long seq, boolean multiple) {
                nacked.accept(confirms.settle(seq, multiple));
            }
        });
        return confirms;
    }

    /** Call right before publishing {@code id} with {@code ch.getNextPublishSeqNo()}. */
    void publishing(long seq, String id) {
        outstanding.put(seq, id);
    }

    private List<String> settle(long seq, boolean multiple) {
        ConcurrentNavigableMap<Long, String> done = multiple ? outstanding.headMap(seq, true)
                : outstanding.subMap(seq, true, seq, true);
        List<String> ids = List.copyOf(done.values());
        done.clear();
        return ids;
    }
}
