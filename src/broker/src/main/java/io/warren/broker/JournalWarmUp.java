package io.warren.broker;

import java.util.UUID;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers a persistence id that has no events and no snapshot, once, right after the node is ready, and stops.
 *
 * <p>Why: the first recovery in a new JVM pays for loading and compiling the journal's whole read path (the snapshot
 * query, the highest-sequence query, the replay query, the row decoding): about a second on a 2-core host. A node
 * restarted after a failover has usually recovered nothing yet, and as the node with the fewest shards it is where
 * the coordinator puts the next lost node's shards, so that second landed on the failed-over queues
 * (FailoverBench: the first queue shard a restarted JVM started took 1.0-1.7 s to initialize, later ones 30-200 ms;
 * with this warm-up 0.4-1.0 s: the rest is sharding's own first shard, which this does not reach).
 * Nothing is written: recovering an unknown id only reads.
 */
public final class JournalWarmUp extends AbstractPersistentActor {

    private static final Logger LOG = LoggerFactory.getLogger(JournalWarmUp.class);
    private final String persistenceId = "warren-warm-up|" + UUID.randomUUID();
    private final long startedNanos = System.nanoTime();

    /** Starts the warm-up in the background (the node is serving meanwhile); its parent stops with it. */
    public static void start(ActorSystem<?> system) {
        system.systemActorOf(Behaviors.<Void>setup(ctx -> {
            ctx.watch(Adapter.toTyped(Adapter.actorOf(ctx, Props.create(JournalWarmUp.class, JournalWarmUp::new),
                    "recovery")));
            return Behaviors.receive(Void.class).onSignal(Terminated.class, t -> Behaviors.stopped()).build();
        }), "journal-warm-up", org.apache.pekko.actor.typed.Props.empty());
    }

    @Override
    public String persistenceId() {
        return persistenceId;
    }

    @Override
    public Receive createReceiveRecover() {
        return receiveBuilder()
                .match(RecoveryCompleted.class, done -> {
                    LOG.debug("journal read path warmed up in {} ms", (System.nanoTime() - startedNanos) / 1_000_000);
                    getContext().stop(getSelf());
                })
                .build();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder().build();
    }

    @Override
    public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
        // The journal is down: the first real recovery will pay the cost instead; nothing to report here.
        LOG.debug("journal warm-up not done: {}", cause.toString());
    }
}
