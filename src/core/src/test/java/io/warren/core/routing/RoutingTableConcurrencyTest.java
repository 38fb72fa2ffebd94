package io.warren.core.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One writer mutating while readers route: readers must see whole changes only, and never fail. */
class RoutingTableConcurrencyTest {

    private static final int READERS = 3;

    /** Runs the writer to completion while readers call {@code readOnce} in a loop; returns reader failures. */
    private static List<Throwable> runConcurrently(Runnable writer, Consumer<Long> readOnce) throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            Thread t = new Thread(() -> {
                try {
                    // at least some reads even if the writer is quick
                    while (!done.get() || reads.get() < 1000) {
                        readOnce.accept(reads.incrementAndGet());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            t.start();
            readers.add(t);
        }
        try {
            writer.run();
        } finally {
            done.set(true);
            for (Thread t : readers) {
                t.join(10_000);
            }
        }
        return new ArrayList<>(failures);
    }

    @Test
    void readersSeeBindingsAppliedInOrderNeverPartially() throws InterruptedException {
        RoutingTable table = RoutingTable.withDefaults();
        table.declareExchange(new ExchangeDefinition("t", ExchangeType.TOPIC, false, false, false, Map.of()));
        int queues = 16;
        for (int i = 0; i < queues; i++) {
            table.declareQueue("q" + i);
        }
        // the writer binds q0..q15 in order, then unbinds them in reverse: every state is a prefix q0..qk
        Runnable writer = () -> {
            for (int round = 0; round < 300; round++) {
                for (int i = 0; i < queues; i++) {
                    assertTrue(table.bind(Binding.toQueue("t", "q" + i, i % 2 == 0 ? "a.#" : "*.b")));
                }
                for (int i = queues - 1; i >= 0; i--) {
                    assertTrue(table.unbind(Binding.toQueue("t", "q" + i, i % 2 == 0 ? "a.#" : "*.b")).removed());
                }
            }
        };
        List<Throwable> failures = runConcurrently(writer, n -> {
            Set<String> routed = table.route("t", "a.b", null);
            for (int i = 0; i < routed.size(); i++) {
                if (!routed.contains("q" + i)) {
                    throw new AssertionError("not a prefix of q0..q15: " + routed);
                }
            }
        });
        assertEquals(List.of(), failures);
        assertEquals(Set.of(), table.route("t", "a.b", null));
    }

    @Test
    void queueRemovalAcrossManyExchangesIsAllOrNothingForReaders() throws InterruptedException {
        RoutingTable table = RoutingTable.withDefaults();
        table.declareExchange(new ExchangeDefinition("top", ExchangeType.FANOUT, false, false, false, Map.of()));
        List<String> witnesses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String x = "e" + i;
            table.declareExchange(new ExchangeDefinition(x, ExchangeType.FANOUT, false, false, false, Map.of()));
            table.bind(Binding.toExchange("top", x, ""));
            table.declareQueue("witness" + i);
            table.bind(Binding.toQueue(x, "witness" + i, ""));
            witnesses.add("witness" + i);
        }
        // phase % 4: 0 binding (in flux), 1 victim fully bound, 2 removing (in flux), 3 victim gone
        AtomicLong phase = new AtomicLong(3);
        Runnable writer = () -> {
            for (int round = 0; round < 400; round++) {
                phase.incrementAndGet();
                table.declareQueue("victim");
                for (int i = 0; i < 5; i++) {
                    table.bind(Binding.toQueue("e" + i, "victim", ""));
                }
                phase.incrementAndGet();
                Thread.onSpinWait();
                phase.incrementAndGet();
                assertEquals(List.of(), table.removeQueue("victim"));
                phase.incrementAndGet();
            }
        };
        List<Throwable> failures = runConcurrently(writer, n -> {
            long before = phase.get();
            Set<String> routed = table.route("top", "k", null);
            long after = phase.get();
            if (!routed.containsAll(witnesses) || routed.size() > witnesses.size() + 1) {
                throw new AssertionError("unexpected route " + routed);
            }
            if (before == after && before % 4 == 1 && !routed.contains("victim")) {
                throw new AssertionError("victim missing while fully bound");
            }
            if (before == after && before % 4 == 3 && routed.contains("victim")) {
                throw new AssertionError("routed to a removed queue");
            }
        });
        assertEquals(List.of(), failures);
        assertEquals(Set.copyOf(witnesses), table.route("top", "k", null));
        assertEquals(List.of(), table.bindingsTo(Destination.queue("victim")));
    }

    @Test
    void exchangeDeletionDuringRoutingNeverBreaksReaders() throws InterruptedException {
        RoutingTable table = RoutingTable.withDefaults();
        table.declareQueue("q");
        Runnable writer = () -> {
            for (int round = 0; round < 500; round++) {
                table.declareExchange(new ExchangeDefinition("a", ExchangeType.FANOUT, false, false, false,
                        Map.of("alternate-exchange", "b")));
                table.declareExchange(new ExchangeDefinition("b", ExchangeType.DIRECT, false, true, false,
                        Map.of("alternate-exchange", "a")));
                table.bind(Binding.toExchange("a", "b", ""));
                table.bind(Binding.toQueue("b", "q", "k"));
                table.bind(Binding.toExchange("b", "a", "k"));
                // b is auto-delete: deleting a drops b's binding to a, then the queue removal drops its last
                assertEquals(new ExchangeDeletion(true, List.of()), table.deleteExchangeCascading("a"));
                assertEquals(List.of("b"), table.removeQueue("q"));
                table.declareQueue("q");
            }
        };
        List<Throwable> failures = runConcurrently(writer, n -> {
            Set<String> routed = table.route(n % 2 == 0 ? "a" : "b", List.of("k", "other"), null);
            if (!routed.isEmpty() && !routed.equals(Set.of("q"))) {
                throw new AssertionError("unexpected route " + routed);
            }
        });
        assertEquals(List.of(), failures);
    }
}
