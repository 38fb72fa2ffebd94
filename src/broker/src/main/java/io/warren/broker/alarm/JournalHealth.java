package io.warren.broker.alarm;

import com.typesafe.config.Config;
import io.warren.broker.JournalSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One per node: raises and clears the {@link JournalAlarm}. Every {@value #PROBE_MILLIS} ms it asks the journal
 * database whether it answers, on a connection of its own (not the journal's pool, which may be exhausted by the
 * very writes that hang) and on the blocking dispatcher, and it reads what the queues report of their writes. It
 * raises the alarm when the probe fails or has not answered within {@code raiseAfter}, when a queue's write has
 * waited longer than that, or when a write failed within the last {@value #FAILURE_HOLDS_MILLIS} ms; it clears it
 * when none of this holds any more. Each transition is logged once, not each failed write.
 */
public final class JournalHealth {

    public sealed interface Command {}

    private enum Tick implements Command { INSTANCE }

    private record Probed(boolean ok, String failure) implements Command {}

    static final long PROBE_MILLIS = 250;
    /** A write failure keeps the alarm up this long: queues retry about as often, and a success clears it. */
    static final long FAILURE_HOLDS_MILLIS = 1000;

    private final ActorContext<Command> ctx;
    private final Config db;
    private final JournalAlarm alarm;
    private final Executor blocking;
    private volatile Connection connection;
    private long probeStartedAt;
    private boolean probing;
    private boolean lastProbeOk = true;
    /** The first probe also opens the connection (and loads the driver): on a busy host that takes a while. */
    private boolean answeredOnce;
    private long slowSince;
    private static final long SECOND_LOOK_NANOS = 200_000_000L;
    private String lastProbeFailure = "";
    private String lastProblem = "";

    /** {@code db}: the shared database's settings (url, user, password). */
    public static Behavior<Command> create(Config db, JournalAlarm alarm) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(PROBE_MILLIS));
            return new JournalHealth(ctx, db, alarm).behavior();
        }));
    }

    private JournalHealth(ActorContext<Command> ctx, Config db, JournalAlarm alarm) {
        this.ctx = ctx;
        ctx.setLoggerName(JournalHealth.class);
        this.db = db;
        this.alarm = alarm;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Tick.class, t -> {
                    if (!probing) probe();
                    evaluate();
                    return Behaviors.same();
                })
                .onMessage(Probed.class, p -> {
                    probing = false;
                    answeredOnce = true;
                    lastProbeOk = p.ok();
                    lastProbeFailure = p.failure();
                    evaluate();
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> {
                    close();
                    return Behaviors.same();
                })
                .build();
    }

    private void probe() {
        probing = true;
        probeStartedAt = System.nanoTime();
        int timeoutSeconds = (int) Math.max(1, alarm.raiseAfter().toSeconds());
        ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
            try {
                Connection c = connection;
                if (c == null) connection = c = JournalSchema.connect(db);
                if (c.isValid(timeoutSeconds)) return "";
                close();
                return "the database did not answer";
            } catch (SQLException | RuntimeException e) {
                close();
                return e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }, blocking), (failure, thrown) -> thrown != null ? new Probed(false, thrown.toString())
                : new Probed(failure.isEmpty(), failure));
    }

    private void evaluate() {
        long now = System.nanoTime();
        long raiseAfterNanos = alarm.raiseAfter().toNanos();
        String problem = null;
        String slow = null;
        if (probing && answeredOnce && now - probeStartedAt > raiseAfterNanos) {
            slow = "the journal database has not answered for " + (now - probeStartedAt) / 1_000_000 + " ms";
        }
        long oldest = alarm.writes().oldestInFlightNanos();
        if (slow == null && oldest > raiseAfterNanos) slow = "a journal write has waited " + oldest / 1_000_000 + " ms";
        // Waits count once they outlast a second look: after a pause of the whole JVM (GC, an overloaded host) every
        // wait looks long at the first look, and the write or probe completes as soon as the JVM runs again.
        if (slow == null) slowSince = 0;
        else if (slowSince == 0) slowSince = now;
        else if (now - slowSince >= SECOND_LOOK_NANOS) problem = slow;
        if (problem == null && !lastProbeOk) problem = "the journal database is unreachable: " + lastProbeFailure;
        JournalWrites.Failure failure = alarm.writes().lastFailure();
        if (problem == null && failure != null && now - failure.atNanos() < FAILURE_HOLDS_MILLIS * 1_000_000) {
            problem = "journal writes fail: " + failure.cause();
        }
        if (problem != null) {
            lastProblem = problem;
            if (alarm.raise(problem)) ctx.getLog().warn("journal alarm raised: {}; publishers are blocked", problem);
        } else if (alarm.raised()) {
            long downFor = System.currentTimeMillis() - alarm.raisedAtMillis();
            // What held it last says why the alarm outlasted the outage (a write still retrying, a slow probe).
            if (alarm.clear()) {
                ctx.getLog().info("journal alarm cleared after {} ms (last held by: {}); publishers may publish again",
                        downFor, lastProblem);
            }
        }
    }

    private void close() {
        Connection c = connection;
        connection = null;
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // Broken anyway: the next probe opens a new one.
        }
    }
}
