package io.warren.broker.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;

/**
 * The remoting ports of the seed nodes other than this one, probed with plain TCP connects: whether another seed
 * node's process is running, whatever its remoting says or does not say yet. A connect blocks for up to the probe
 * timeout, so probes run on a thread of their own and the result comes back to the asking actor as a message.
 */
final class SeedPorts implements AutoCloseable {
    private final List<Address> others;
    private final int timeoutMillis;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final ExecutorService blocking;

    /** {@code seeds}: every configured seed node; {@code self} (this node's address) is left out. */
    SeedPorts(List<Address> seeds, Address self, Duration probeTimeout, String threadName) {
        this.others = seeds.stream().filter(a -> !a.equals(self)).toList();
        this.timeoutMillis = (int) Math.max(1, probeTimeout.toMillis());
        this.blocking = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    boolean isEmpty() {
        return others.isEmpty();
    }

    /**
     * Connects to every other seed node's remoting port, unless a round is still under way, and tells {@code replyTo}
     * {@code result.apply(any accepted the connection)}.
     */
    void probe(ActorRef replyTo, Function<Boolean, Object> result) {
        if (!probing.compareAndSet(false, true)) return;
        blocking.execute(() -> {
            try {
                boolean any = others.stream().anyMatch(this::answers);
                replyTo.tell(result.apply(any), ActorRef.noSender());
            } finally {
                probing.set(false);
            }
        });
    }

    private boolean answers(Address seed) {
        if (seed.host().isEmpty() || seed.port().isEmpty()) return false;
        return FailoverGuard.connect(seed.host().get(), (Integer) seed.port().get(), timeoutMillis)
                == CrashVerdict.Probe.ANSWERED;
    }

    @Override
    public void close() {
        blocking.shutdownNow();
    }
}
