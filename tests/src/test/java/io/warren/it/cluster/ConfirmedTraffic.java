package io.warren.it.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For the journal database tests: on every node of a cluster, one consumer (acking each message) of its own queue
 * and one publisher with asynchronous confirms sending about 50 persistent messages a second round-robin to all the
 * queues, pausing while its connection is blocked, as a well-behaved client does. Records what was confirmed,
 * nacked and received, when the last confirm came and when each publisher was first blocked.
 */
final class ConfirmedTraffic implements AutoCloseable {
    final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    final Set<String> received = ConcurrentHashMap.newKeySet();
    final AtomicLong nacked = new AtomicLong();
    final AtomicLong lastConfirmAt = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong unblocked = new AtomicLong();
    /** Wall-clock ms each node's publisher first got connection.blocked (index = node; 0 = never). */
    final long[] blockedAt;
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final List<Connection> connections = new ArrayList<>();
    private final List<Thread> publishers = new ArrayList<>();

    private ConfirmedTraffic(int nodes) {
        this.blockedAt = new long[nodes + 1];
    }

    /** Declares {@code queues} (one per node, durable) and starts the consumers and publishers. */
    static ConfirmedTraffic start(ClusterUnderTest cluster, List<String> queues) throws IOException, TimeoutException {
        ConfirmedTraffic traffic = new ConfirmedTraffic(cluster.size());
        try (Connection admin = cluster.connect(1); Channel ch = admin.createChannel()) {
            for (String q : queues) ch.queueDeclare(q, true, false, false, null);
        }
        for (int i = 1; i <= cluster.size(); i++) traffic.consume(cluster.connect(i), queues.get((i - 1) % queues.size()));
        for (int i = 1; i <= cluster.size(); i++) traffic.publish(cluster.connect(i), i, queues);
        return traffic;
    }

    /** Stops publishing, waits for the last confirms, then up to {@code waitMillis} for every confirmed message. */
    Set<String> stopAndFindLost(long waitMillis) throws InterruptedException {
        publishing.set(false);
        for (Thread t : publishers) t.join(60_000);
        long until = System.currentTimeMillis() + waitMillis;
        while (!received.containsAll(confirmed) && System.currentTimeMillis() < until) Thread.sleep(200);
        Set<String> lost = new HashSet<>(confirmed);
        lost.removeAll(received);
        return lost;
    }

    private void consume(Connection c, String queue) throws IOException {
        connections.add(c);
        Channel ch = c.createChannel();
        ch.basicQos(50);
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                received.add(new String(body, StandardCharsets.UTF_8));
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
    }

    private void publish(Connection c, int node, List<String> queues) throws IOException {
        connections.add(c);
        publishers.add(PausingPublisher.start(c, node, n -> queues.get((int) (n % queues.size())), publishing, 40_000,
                "confirmed-publisher-" + node, new PausingPublisher.Listener() {
                    @Override
                    public void publishing(String id) {
                        published.incrementAndGet();
                    }

                    @Override
                    public void acked(List<String> ids) {
                        confirmed.addAll(ids);
                        lastConfirmAt.set(System.currentTimeMillis());
                    }

                    @Override
                    public void nacked(List<String> ids) {
                        nacked.addAndGet(ids.size());
                    }

                    @Override
                    public void blocked() {
                        synchronized (blockedAt) {
                            if (blockedAt[node] == 0) blockedAt[node] = System.currentTimeMillis();
                        }
                    }

                    @Override
                    public void unblocked() {
                        unblocked.incrementAndGet();
                    }
                }));
    }

    /** Counters for a test's report: published, confirmed, nacked, received, unblocked, publishers alive. */
    String figures() {
        return "published " + published + ", confirmed " + confirmed.size() + ", nacked " + nacked + ", received "
                + received.size() + ", unblocked " + unblocked + ", publishers alive "
                + publishers.stream().filter(Thread::isAlive).count() + ", connections open " + openConnections();
    }

    /** Connections still open: a broker that closes a blocked publisher (or a consumer) fails the tests. */
    long openConnections() {
        return connections.stream().filter(Connection::isOpen).count();
    }

    int connectionCount() {
        return connections.size();
    }

    Connection anyConnection() {
        return connections.get(0);
    }

    @Override
    public void close() {
        publishing.set(false);
        for (Connection c : connections) {
            try {
                c.abort(2_000); // a blocked connection is not read: do not wait for its close-ok forever
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
    }
}
