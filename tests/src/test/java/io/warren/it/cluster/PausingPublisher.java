package io.warren.it.cluster;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;

/**
 * A confirming publisher as a well-behaved client runs one, for the journal database tests: about 50 persistent
 * messages a second with ids {@code <node>-<n>}, asynchronous confirms, and a pause while its connection is blocked
 * ({@code connection.blocked}). Once {@code publishing} turns false it waits up to {@code lastConfirmsMillis} for the
 * last confirms. The tests differ only in what they record, which the {@link Listener} gets.
 */
final class PausingPublisher {

    /** What a test records: each publish (before it is sent), each answer, the connection's block and unblock. */
    interface Listener {
        default void publishing(String id) {}

        void acked(List<String> ids);

        void nacked(List<String> ids);

        default void blocked() {}

        default void unblocked() {}
    }

    private PausingPublisher() {}

    /** Starts the publisher's thread on a channel of {@code c}; message {@code n} goes to {@code queueOf(n)}. */
    static Thread start(Connection c, int node, LongFunction<String> queueOf, AtomicBoolean publishing,
                        long lastConfirmsMillis, String threadName, Listener listener) throws IOException {
        AtomicBoolean blocked = new AtomicBoolean();
        c.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                blocked.set(true);
                listener.blocked();
            }

            @Override
            public void handleUnblocked() {
                listener.unblocked();
                blocked.set(false);
            }
        });
        Channel ch = c.createChannel();
        ch.confirmSelect();
        OutstandingConfirms outstanding = OutstandingConfirms.track(ch, listener::acked, listener::nacked);
        Thread t = new Thread(() -> {
            try {
                for (long n = 0; publishing.get(); n++) {
                    if (blocked.get()) {
                        Thread.sleep(10);
                        continue;
                    }
                    String id = node + "-" + n;
                    listener.publishing(id);
                    outstanding.publishing(ch.getNextPublishSeqNo(), id);
                    ch.basicPublish("", queueOf.apply(n), MessageProperties.PERSISTENT_BASIC,
                            id.getBytes(StandardCharsets.UTF_8));
                    Thread.sleep(20);
                }
                ch.waitForConfirms(lastConfirmsMillis); // the last ones: answered (or nacked) before anything is counted
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threadName);
        t.start();
        return t;
    }
}
