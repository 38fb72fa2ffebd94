package io.warren.it.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Publishers with confirms and consumers with manual acks on a set of durable queues, every client connected
 * to a different node with every node's address and automatic recovery, as a production application would
 * be. It records which messages were confirmed and which were delivered, so that a test can disturb the
 * cluster meanwhile and then check that no confirmed message went missing.
 *
 * <p>A message's body is {@code <id>|<queue index>|<publish time ms>}; ids are unique per workload.
 */
public final class FailoverWorkload implements AutoCloseable {
    /** Messages per confirm round trip. Small, so that a kill leaves few messages in doubt. */
    private static final int BATCH = 10;
    private static final long CONFIRM_TIMEOUT_MS = 20_000;

    private final ClusterUnderTest cluster;
    private final List<String> queues;
    private final boolean alsoTransient;
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final Set<String> transientConfirmed = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    private final AtomicLong redeliveredFlags = new AtomicLong();
    /** Deliveries of a message delivered before that do not carry the redelivered flag (issue 12). */
    private final AtomicLong repeatsWithoutFlag = new AtomicLong();
    private final AtomicLong nacked = new AtomicLong();
    private final AtomicLong inDoubt = new AtomicLong();
    private final AtomicLong publishErrors = new AtomicLong();
    /** Per queue: the earliest delivery (wall clock ms) of a message published at or after {@link #markMillis}. */
    private final AtomicLongArray firstDeliveryAfterMark;
    private volatile long markMillis = Long.MAX_VALUE;
    private final List<Thread> publisherThreads = new ArrayList<>();
    /** Per node (index = node): when its publisher's confirmed batches were confirmed (wall clock ms). */
    private final Map<Integer, java.util.Queue<Long>> confirmTimes = new ConcurrentHashMap<>();
    private final List<Connection> connections = new ArrayList<>();
    private final List<String> clientErrors = java.util.Collections.synchronizedList(new ArrayList<>());

    private FailoverWorkload(ClusterUnderTest cluster, List<String> queues, boolean alsoTransient) {
        this.cluster = cluster;
        this.queues = queues;
        this.alsoTransient = alsoTransient;
        this.firstDeliveryAfterMark = new AtomicLongArray(queues.size());
        for (int i = 0; i < queues.size(); i++) firstDeliveryAfterMark.set(i, Long.MAX_VALUE);
    }

    /**
     * Declares {@code queueCount} durable queues named {@code prefix-q<i>}, then starts one consumer connection
     * (consuming every queue) and one publisher connection (publishing round-robin to every queue) per node.
     * With {@code alsoTransient}, every other message is transient (delivery mode 1).
     */
    public static FailoverWorkload start(ClusterUnderTest cluster, String prefix, int queueCount, boolean alsoTransient)
            throws IOException, TimeoutException {
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < queueCount; i++) queues.add(prefix + "-q" + i);
        FailoverWorkload workload = new FailoverWorkload(cluster, queues, alsoTransient);
        try {
            try (Connection admin = cluster.connect(1); Channel channel = admin.createChannel()) {
                for (String queue : queues) channel.queueDeclare(queue, true, false, false, null);
            }
            for (int node = 1; node <= cluster.size(); node++) workload.startConsumer(node);
            for (int node = 1; node <= cluster.size(); node++) workload.startPublisher(node);
        } catch (IOException | TimeoutException | RuntimeException e) {
            workload.close();
            throw e;
        }
        return workload;
    }

    public List<String> queues() { return queues; }

    /** From now on, {@link #recoveryMillis} looks at messages published at or after this instant. */
    public void mark(long wallClockMillis) {
        markMillis = wallClockMillis;
    }

    public int confirmedCount() { return confirmed.size(); }

    public int deliveredCount() { return deliveries.size(); }

    /** Whether every queue has delivered a message published after the mark. */
    public boolean everyQueueDeliversAfterMark() {
        for (int i = 0; i < queues.size(); i++) {
            if (firstDeliveryAfterMark.get(i) == Long.MAX_VALUE) return false;
        }
        return true;
    }

    /** Per queue, ms from the mark to its first delivery of a message published after the mark; -1: none yet. */
    public long[] recoveryMillis() {
        long[] result = new long[queues.size()];
        for (int i = 0; i < result.length; i++) {
            long first = firstDeliveryAfterMark.get(i);
            result[i] = first == Long.MAX_VALUE ? -1 : first - markMillis;
        }
        return result;
    }

    /**
     * The longest time within [{@code fromMillis}, {@code toMillis}] in which the publisher of node {@code node}
     * (connected there first) got no confirm: from {@code fromMillis} to its first confirm, between two confirms,
     * and from its last confirm to {@code toMillis}.
     */
    public long longestConfirmGapMillis(int node, long fromMillis, long toMillis) {
        long previous = fromMillis;
        long longest = 0;
        for (long at : confirmTimes.getOrDefault(node, new java.util.ArrayDeque<>())) {
            if (at < fromMillis) continue;
            if (at > toMillis) break;
            longest = Math.max(longest, at - previous);
            previous = at;
        }
        return Math.max(longest, toMillis - previous);
    }

    /**
     * ms from {@code fromMillis} to the first confirm the publisher of node {@code node} (connected there first) got
     * at or after it; -1: none yet.
     */
    public long firstConfirmAfterMillis(int node, long fromMillis) {
        for (long at : confirmTimes.getOrDefault(node, new java.util.ArrayDeque<>())) {
            if (at >= fromMillis) return at - fromMillis;
        }
        return -1;
    }

    /** Stops the publishers (each finishes its batch, waiting for its confirms). */
    public void stopPublishing() throws InterruptedException {
        publishing.set(false);
        for (Thread thread : publisherThreads) thread.join(CONFIRM_TIMEOUT_MS + 10_000);
    }

    /**
     * Waits until every confirmed message has been delivered, or until {@code quietMillis} pass without a new
     * delivery (or {@code maxMillis} in all). Returns the confirmed messages never delivered.
     */
    public Set<String> awaitDrained(long quietMillis, long maxMillis) throws InterruptedException {
        long start = System.currentTimeMillis();
        long lastProgress = start;
        int lastCount = -1;
        while (true) {
            Set<String> missing = missing();
            if (missing.isEmpty()) return missing;
            long now = System.currentTimeMillis();
            int count = deliveries.size();
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            }
            if (now - lastProgress > quietMillis || now - start > maxMillis) return missing;
            Thread.sleep(200);
        }
    }

    /**
     * Where {@code missing} confirmed messages were published (per queue), and every queue's ready count and consumers
     * now, asked through node {@code via} with passive declares: a missing message still ready was never delivered; one
     * not ready is unacked by a channel (perhaps one that never received it) or gone.
     */
    public String describeMissing(Set<String> missing, int via) {
        Map<String, Integer> perQueue = new java.util.TreeMap<>();
        for (String id : missing) {
            perQueue.merge(queues.get(queueOf(Long.parseLong(id.substring(id.lastIndexOf('-') + 1)))), 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder("missing per queue " + perQueue + "; queues now (via node " + via + "):");
        try (Connection connection = cluster.connect(via)) {
            for (String queue : queues) {
                Channel channel = connection.createChannel();
                try {
                    AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
                    out.append(' ').append(queue).append(" ready=").append(ok.getMessageCount())
                            .append(" consumers=").append(ok.getConsumerCount());
                } catch (IOException e) {
                    out.append(' ').append(queue).append(" (").append(e.getCause() != null ? e.getCause().getMessage() : e).append(')');
                } finally {
                    if (channel.isOpen()) {
                        try {
                            channel.close();
                        } catch (IOException | TimeoutException | RuntimeException ignored) {
                            // the answer is in already
                        }
                    }
                }
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            out.append(" cannot ask: ").append(e);
        }
        return out.toString();
    }

    /** The queue (index) of a publisher's message number {@code n} (its id is {@code <publisher>-<n>}): round-robin. */
    private int queueOf(long n) {
        return (int) (n % queues.size());
    }

    /** Confirmed messages not delivered (yet). */
    public Set<String> missing() {
        Set<String> missing = new java.util.TreeSet<>();
        for (String id : confirmed) if (!deliveries.containsKey(id)) missing.add(id);
        return missing;
    }

    public Report report() {
        long duplicates = deliveries.values().stream().mapToLong(n -> n - 1).sum();
        long unconfirmedDelivered = deliveries.keySet().stream().filter(id -> !confirmed.contains(id)).count();
        Set<String> missing = missing();
        long transientMissing = missing.stream().filter(transientConfirmed::contains).count();
        int most = deliveries.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return new Report(confirmed.size(), transientConfirmed.size(), deliveries.size(), missing.size(),
                transientMissing, duplicates, redeliveredFlags.get(), unconfirmedDelivered, nacked.get(),
                inDoubt.get(), publishErrors.get(), recoveryMillis(), List.copyOf(clientErrors),
                repeatsWithoutFlag.get(), most);
    }

    /** What a run measured; {@code recoveryMillis[i]} is -1 for a queue that never delivered after the mark. */
    public record Report(long confirmed, long transientConfirmed, long delivered, long lost, long transientLost,
                         long duplicates, long redelivered, long unconfirmedButDelivered, long nacked, long inDoubt,
                         long publishErrors, long[] recoveryMillis, List<String> clientErrors,
                         long repeatsWithoutFlag, int mostDeliveries) {

        public long slowestRecoveryMillis() {
            long max = 0;
            for (long ms : recoveryMillis) {
                if (ms < 0) return -1;
                max = Math.max(max, ms);
            }
            return max;
        }

        @Override
        public String toString() {
            return "confirmed=" + confirmed + " (transient " + transientConfirmed + ")"
                    + " delivered(distinct)=" + delivered + " lost=" + lost + " (transient " + transientLost + ")"
                    + " duplicates=" + duplicates + " redelivered-flag=" + redelivered
                    + " repeats-without-flag=" + repeatsWithoutFlag + " most-deliveries-of-one=" + mostDeliveries
                    + " unconfirmed-but-delivered=" + unconfirmedButDelivered + " nacked=" + nacked
                    + " in-doubt(unconfirmed)=" + inDoubt + " publish-errors=" + publishErrors
                    + " recovery-ms-per-queue=" + java.util.Arrays.toString(recoveryMillis)
                    + " slowest-queue-recovery-ms=" + slowestRecoveryMillis()
                    + (clientErrors.isEmpty() ? "" : " client-errors(first 5)=" + clientErrors.subList(0, Math.min(5, clientErrors.size())));
        }
    }

    @Override
    public void close() {
        publishing.set(false);
        for (Thread thread : publisherThreads) {
            try {
                thread.join(CONFIRM_TIMEOUT_MS + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Connection connection : connections) {
            try {
                connection.abort(2_000);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        // Best effort: leave no queues behind for the next run on the same cluster.
        for (int node = 1; node <= cluster.size(); node++) {
            if (!cluster.node(node).isRunning()) continue;
            try (Connection admin = cluster.connect(node); Channel channel = admin.createChannel()) {
                for (String queue : queues) channel.queueDelete(queue);
                return;
            } catch (Exception e) {
                // try the next node
            }
        }
    }

    // ------------------------------------------------------------------ clients

    private Connection recoveringConnection(int node, String role) throws IOException, TimeoutException {
        ConnectionFactory factory = cluster.recoveringConnectionFactory();
        factory.setExceptionHandler(new com.rabbitmq.client.impl.ForgivingExceptionHandler() {
            @Override
            protected void log(String message, Throwable e) {
                clientErrors.add(role + ": " + message + ": " + e);
            }
        });
        Connection connection = cluster.connectToAll(factory, node, role);
        connections.add(connection);
        return connection;
    }

    private void startConsumer(int node) throws IOException, TimeoutException {
        Connection connection = recoveringConnection(node, "consumer-node" + node);
        Channel channel = connection.createChannel();
        channel.basicQos(100);
        for (int i = 0; i < queues.size(); i++) {
            int queueIndex = i;
            channel.basicConsume(queues.get(i), false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                    onDelivery(queueIndex, envelope, body);
                    try {
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    } catch (IOException | RuntimeException e) {
                        // The channel went away: the message comes again (a counted duplicate), never lost.
                    }
                }
            });
        }
    }

    private void onDelivery(int queueIndex, Envelope envelope, byte[] body) {
        long now = System.currentTimeMillis();
        String[] parts = new String(body, StandardCharsets.UTF_8).split("\\|");
        int times = deliveries.merge(parts[0], 1, Integer::sum);
        if (envelope.isRedeliver()) redeliveredFlags.incrementAndGet();
        else if (times > 1) repeatsWithoutFlag.incrementAndGet();
        if (Long.parseLong(parts[2]) >= markMillis) {
            firstDeliveryAfterMark.accumulateAndGet(queueIndex, now, Math::min);
        }
    }

    private void startPublisher(int node) throws IOException, TimeoutException {
        Connection connection = recoveringConnection(node, "publisher-node" + node);
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        // After a recovery, waitForConfirms only knows the new channel's publishes: a batch that spans a
        // connection loss must count as in doubt, whatever waitForConfirms says.
        AtomicLong connectionEpoch = new AtomicLong();
        connection.addShutdownListener(cause -> connectionEpoch.incrementAndGet());
        ((com.rabbitmq.client.Recoverable) connection).addRecoveryListener(new com.rabbitmq.client.RecoveryListener() {
            @Override
            public void handleRecovery(com.rabbitmq.client.Recoverable recoverable) {
                connectionEpoch.incrementAndGet();
            }

            @Override
            public void handleRecoveryStarted(com.rabbitmq.client.Recoverable recoverable) {
                connectionEpoch.incrementAndGet();
            }
        });
        java.util.Queue<Long> confirmedAt = new java.util.concurrent.ConcurrentLinkedQueue<>();
        confirmTimes.put(node, confirmedAt);
        Thread thread = new Thread(() -> publishLoop("p" + node, channel, connectionEpoch, confirmedAt),
                "publisher-node" + node);
        thread.setDaemon(true);
        publisherThreads.add(thread);
        thread.start();
    }

    private void publishLoop(String publisherId, Channel channel, AtomicLong connectionEpoch,
                             java.util.Queue<Long> confirmedAt) {
        long sequence = 0;
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        AMQP.BasicProperties transientProps = new AMQP.BasicProperties.Builder().deliveryMode(1).build();
        while (publishing.get()) {
            List<String> batch = new ArrayList<>(BATCH);
            List<Boolean> batchTransient = new ArrayList<>(BATCH);
            long epoch = connectionEpoch.get();
            try {
                for (int i = 0; i < BATCH; i++) {
                    int queueIndex = queueOf(sequence);
                    String id = publisherId + "-" + (sequence++);
                    boolean isTransient = alsoTransient && (sequence % 2 == 0);
                    byte[] body = (id + "|" + queueIndex + "|" + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
                    batch.add(id);
                    batchTransient.add(isTransient);
                    channel.basicPublish("", queues.get(queueIndex), isTransient ? transientProps : persistent, body);
                }
                boolean allAcked = channel.waitForConfirms(CONFIRM_TIMEOUT_MS);
                if (connectionEpoch.get() != epoch) {
                    inDoubt.addAndGet(batch.size());
                } else if (allAcked) {
                    confirmedAt.add(System.currentTimeMillis());
                    for (int i = 0; i < batch.size(); i++) {
                        confirmed.add(batch.get(i));
                        if (batchTransient.get(i)) transientConfirmed.add(batch.get(i));
                    }
                } else {
                    nacked.addAndGet(batch.size());
                }
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // Connection lost (recovery under way), confirm timeout: the batch is in doubt, not confirmed.
                inDoubt.addAndGet(batch.size());
                publishErrors.incrementAndGet();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
