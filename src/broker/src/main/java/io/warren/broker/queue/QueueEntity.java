package io.warren.broker.queue;

import io.warren.broker.protocol.QueueReply;
import io.warren.broker.cluster.NodeFence;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueCommand;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.broker.BrokerContext;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand.*;
import io.warren.broker.queue.QueueInternal.*;
import io.warren.core.queue.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A queue: a sharded actor around the core {@link QueueState}. Commands go into the core, and its effects come out as
 * journal writes (grouped by {@link QueueJournal}, written by the queue's {@link QueueStore}, a classic persistent
 * child), deliveries grouped per channel, dead letters and confirms. While the store recovers, commands are stashed;
 * the store hands over the recovered state, and from then on the entity mutates it and never waits for a write.
 */
public final class QueueEntity extends AbstractBehavior<QueueCommand> {

    public static final EntityTypeKey<QueueCommand> TYPE_KEY = EntityTypeKey.create(QueueCommand.class, "queue");

    /**
     * How long an entity without a queue (deleted, or never declared) stays before it leaves sharding: long enough
     * that a delete followed at once by a declare of the same name (common in tests and tools) does not stop and
     * start the entity in between, short enough that a failover soon after a delete does not recover it again.
     */
    static final Duration FORGET_WITHOUT_QUEUE_AFTER = Duration.ofSeconds(2);

    /** Sharding's stop message for hand-off and passivation: the queue stops after its outstanding writes. */
    public static final QueueCommand STOP = Stop.INSTANCE;

    /** The mutable state: the definition and the core queue, plus where each channel lives. */
    static final class Holder {
        QueueDefinition definition;
        QueueState state;
        /** The connection that owns an exclusive queue (exclusive queues are never recovered, so not journalled). */
        String owner = "";
        final Map<String, ConnectionRoute> channels = new HashMap<>();
        boolean hadConsumers;

        /** What a snapshot stores: the definition and the persistent messages. */
        QueueEntitySnapshot toSnapshot() {
            return new QueueEntitySnapshot(definition, state == null ? null : state.snapshot());
        }

        /** Applies a journal event during recovery (after it, the command handlers change the state directly). */
        void replay(QueueEntityEvent event) {
            if (event instanceof QueueEntityEvent.Created c) {
                definition = c.definition();
                state = new QueueState(c.definition(), QueueArguments.parse(c.definition().arguments()));
            } else if (event instanceof QueueEntityEvent.Journal j) {
                if (state != null) state.replay(j.event());
            } else if (event instanceof QueueEntityEvent.Batch b) {
                if (state != null) for (io.warren.core.queue.QueueEvent e : b.events()) state.replay(e);
            } else if (event instanceof QueueEntityEvent.Deleted) {
                definition = null;
                state = null;
            }
        }

        /** The state a snapshot recovers to. */
        static Holder fromSnapshot(QueueEntitySnapshot s) {
            Holder h = new Holder();
            if (s.definition() != null) {
                h.definition = s.definition();
                QueueArguments args = QueueArguments.parse(s.definition().arguments());
                h.state = s.queue() == null ? new QueueState(s.definition(), args)
                        : QueueState.fromSnapshot(s.definition(), args, s.queue());
            }
            return h;
        }
    }

    record ConnectionRoute(ActorRef<ConnectionProtocol> connection, int channel) {}

    private final BrokerContext broker;
    private final ActorContext<QueueCommand> ctx;
    private final TimerScheduler<QueueCommand> timers;
    private final String vhost;
    private final String name;
    private final ActorRef<ConnectionProtocol.EnqueueSettled> deadLetterReplies;
    /** Dead-lettered message seq → how many target queues still have to take it. */
    private final Map<Long, int[]> deadLettersInFlight = new HashMap<>();
    private final Holder holder;
    private long timerAt = Long.MAX_VALUE;
    private final QueueJournal journal;
    /** The queue's store (a classic persistent actor, our child); replaced by a new one after a failed write. */
    private org.apache.pekko.actor.ActorRef store;
    private final String persistenceId;
    /** The store told us its write failed and may be retried; a new store is being started or is recovering. */
    private boolean retryingStore, storeRecovering;
    private int storeIncarnation;
    /** When the current restarted store was started (System.nanoTime). */
    private long storeStartedAt;
    /** A Flush is in the mailbox: the commands ahead of it join the next write. */
    private boolean flushScheduled;
    /** Stop came while writes were outstanding: stop once they are done. */
    private boolean stopping;
    /**
     * Answers to enqueues held back while consumers fall behind (see {@link #answerEnqueue}), oldest first, and since
     * when the oldest waits.
     */
    private final java.util.ArrayDeque<Runnable> heldAnswers = new java.util.ArrayDeque<>();
    private long heldSince;
    /** Ready messages above which a queue with consumers holds back enqueue answers, and the level it releases at. */
    static final int HOLD_ANSWERS_ABOVE = 500, RELEASE_ANSWERS_AT = 250;
    /** The longest an answer is held: a publisher that is waited on by the consumers it slows is never stuck. */
    private static final Duration HOLD_ANSWERS_AT_MOST = Duration.ofMillis(100);
    private static final String HOLD_TIMER = "release-held-answers";
    /**
     * The node's gate: shut while this node may have been downed after a long stall and a majority has not yet
     * confirmed it is still a member (io.warren.broker.cluster.FailoverGuard). While it is shut the write in flight
     * and deliveries wait here, in order; nothing is failed or dropped.
     */
    private final NodeFence fence;
    private List<QueueEntityEvent> heldRows;
    private QueueEntitySnapshot heldSnapshot;
    private final List<HeldDelivery> heldDeliveries = new ArrayList<>();
    /** The journal's way to the store: through the gate (held while it is shut). */
    private final QueueJournal.Store toStore;
    private static final String FENCE_TIMER = "fence-check";
    private static final Duration FENCE_CHECK_EVERY = Duration.ofMillis(50);

    /**
     * The numbering of delivery messages to channels on other nodes, which remoting may lose on the way (see
     * {@link DeliveryStreams}); {@code incarnationId} tells this incarnation's numbers from an earlier one's.
     */
    private final DeliveryStreams deliveryStreams = new DeliveryStreams();
    private final long incarnationId = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    private static final String PROBE_TIMER = "delivery-probe";
    /** A channel that got nothing from us for this long is asked whether our last delivery message arrived. */
    private static final long PROBE_QUIET_MILLIS = 1_000;
    /** A channel that holds our deliveries and neither got nor settled any for this long is asked what it holds. */
    private static final long AUDIT_AFTER_MILLIS = 5_000;
    private static final Duration PROBE_CHECK_EVERY = Duration.ofMillis(500);

    /** A delivery held by the shut gate, for the channel it was made to. */
    private record HeldDelivery(String channelId, ConnectionRoute route, ConnectionProtocol.Deliver deliver) {}
    private final String entityId;
    private long published, delivered, acked;

    /** Connections (and their channels) told which incarnation serves them, and connections we watch. */
    private record ChannelOf(ActorRef<ConnectionProtocol> connection, int channel) {}

    private final Set<ChannelOf> toldIncarnation = new java.util.HashSet<>();
    private final Set<ActorRef<ConnectionProtocol>> watched = new java.util.HashSet<>();
    private final ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard;

    public static Behavior<QueueCommand> create(BrokerContext broker, EntityContext<QueueCommand> entity) {
        return Behaviors.setup(ctx -> {
            String persistenceId = "queue|" + entity.getEntityId();
            long startedAt = System.nanoTime();
            ActorRef<QueueCommand> self = ctx.getSelf();
            org.apache.pekko.actor.ActorRef store = Adapter.actorOf(ctx,
                    org.apache.pekko.actor.Props.create(QueueStore.class, () -> new QueueStore(persistenceId, self)), "store");
            ctx.watchWith(Adapter.toTyped(store), StoreStopped.INSTANCE);
            // As many commands as Pekko's event-sourced behaviours stash while recovering; beyond that they are dropped.
            int capacity = ctx.getSystem().settings().config().getInt("pekko.persistence.typed.stash-capacity");
            return Behaviors.withTimers(timers -> Behaviors.withStash(capacity, stash ->
                    recovering(broker, ctx, timers, entity, store, stash, startedAt, 0)));
        });
    }

    /**
     * Until the store has replayed the journal: everything but its answer waits, in order. A recovery that fails
     * (the journal database is down) is retried here by a new store, {@link #recoveryRetryDelay} apart, with the
     * commands still waiting: the entity does not fail, so sharding does not restart it (every second, with a
     * remember-entities write for each stop and start) and the log has one line when it starts failing and one when
     * it recovers. {@code failures}: failed recoveries so far; {@code store} is null while waiting to retry.
     */
    private static Behavior<QueueCommand> recovering(BrokerContext broker, ActorContext<QueueCommand> ctx,
                                                     TimerScheduler<QueueCommand> timers, EntityContext<QueueCommand> entity,
                                                     org.apache.pekko.actor.ActorRef store, StashBuffer<QueueCommand> stash,
                                                     long startedAt, int failures) {
        return Behaviors.receive(QueueCommand.class)
                .onMessage(Recovered.class, r -> {
                    if (failures > 0) {
                        QueueIds.Name n = QueueIds.parse(entity.getEntityId());
                        ctx.getLog().info("queue '{}' in vhost '{}' recovered after {} failed attempts ({} ms)", n.queue(),
                                n.vhost(), failures, (System.nanoTime() - startedAt) / 1_000_000);
                    }
                    QueueEntity queue = new QueueEntity(broker, ctx, timers, entity, store, r.holder());
                    queue.recovered(r.seqNr(), startedAt);
                    return stash.unstashAll(queue);
                })
                .onMessage(StoreStopped.class, s -> {
                    // Handed off while recovering: stop rather than hold the hand-off until the journal is back.
                    // Nothing was written; the commands still waiting are dropped, as with any stop, and their
                    // senders re-send or time out.
                    if (stash.anyMatch(c -> c == STOP)) return Behaviors.stopped();
                    Duration delay = recoveryRetryDelay(failures + 1);
                    if (failures == 0) {
                        QueueIds.Name n = QueueIds.parse(entity.getEntityId());
                        ctx.getLog().warn("queue '{}' in vhost '{}' cannot be recovered: its journal cannot be read; retrying,"
                                + " at most {} ms apart", n.queue(), n.vhost(), RECOVERY_RETRY_MAX.toMillis());
                    }
                    timers.startSingleTimer("respawn-store", RespawnStore.INSTANCE, delay);
                    return recovering(broker, ctx, timers, entity, null, stash, startedAt, failures + 1);
                })
                .onMessage(RespawnStore.class, r -> {
                    ActorRef<QueueCommand> self = ctx.getSelf();
                    String pid = "queue|" + entity.getEntityId();
                    org.apache.pekko.actor.ActorRef next = Adapter.actorOf(ctx, org.apache.pekko.actor.Props.create(
                            QueueStore.class, () -> new QueueStore(pid, self)), "store-recovery-" + failures);
                    ctx.watchWith(Adapter.toTyped(next), StoreStopped.INSTANCE);
                    return recovering(broker, ctx, timers, entity, next, stash, startedAt, failures);
                })
                .onMessage(Stop.class, c -> {
                    // Handed off or passivated between two failed recoveries: nothing was written, nothing to wait for.
                    if (store == null) return Behaviors.stopped();
                    stash.stash(c);
                    return Behaviors.same();
                })
                .onAnyMessage(c -> {
                    if (stash.isFull()) {
                        ctx.getLog().warn("queue {} still recovering: {} commands wait already, dropped {}",
                                entity.getEntityId(), stash.size(), c.getClass().getSimpleName());
                    } else {
                        stash.stash(c);
                    }
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> {
                    broker.localQueues().remove(entity.getEntityId());
                    return Behaviors.same();
                })
                .build();
    }

    /** Between failed recoveries: 200 ms, doubling, at most {@link #RECOVERY_RETRY_MAX}. */
    static final Duration RECOVERY_RETRY_MAX = Duration.ofSeconds(2);

    static Duration recoveryRetryDelay(int failures) {
        long millis = 200L << Math.min(Math.max(failures - 1, 0), 10);
        return Duration.ofMillis(Math.min(millis, RECOVERY_RETRY_MAX.toMillis()));
    }

    private QueueEntity(BrokerContext broker, ActorContext<QueueCommand> ctx, TimerScheduler<QueueCommand> timers,
                        EntityContext<QueueCommand> entity, org.apache.pekko.actor.ActorRef store, Holder holder) {
        super(ctx);
        this.entityId = entity.getEntityId();
        this.shard = entity.getShard();
        this.broker = broker;
        this.ctx = ctx;
        this.timers = timers;
        this.holder = holder;
        QueueIds.Name n = QueueIds.parse(this.entityId);
        this.vhost = n.vhost();
        this.name = n.queue();
        this.deadLetterReplies = ctx.messageAdapter(ConnectionProtocol.EnqueueSettled.class,
                s -> new DeadLetterSettled(concat(s.accepted(), s.rejected())));
        this.store = store;
        this.fence = NodeFence.get(ctx.getSystem());
        this.toStore = new QueueJournal.Store() {
            @Override
            public void persist(List<QueueEntityEvent> rows) {
                if (fence.open()) {
                    heldRows = null; // a retry of a held write (through a new store) supersedes it
                    QueueEntity.this.store.tell(new QueueStore.Persist(rows), org.apache.pekko.actor.ActorRef.noSender());
                } else {
                    heldRows = rows;
                    checkFenceLater();
                }
            }

            @Override
            public void saveSnapshot(QueueEntitySnapshot snapshot) {
                if (fence.open()) {
                    heldSnapshot = null;
                    QueueEntity.this.store.tell(new QueueStore.SaveSnapshot(snapshot), org.apache.pekko.actor.ActorRef.noSender());
                } else {
                    heldSnapshot = snapshot;
                    checkFenceLater();
                }
            }
        };
        String persistenceId = "queue|" + entityId;
        this.persistenceId = persistenceId;
        this.journal = new QueueJournal(persistenceId, toStore,
                below -> broker.journalCompactor().tell(new JournalCompactor.Compact(persistenceId, below)),
                broker.settings().snapshotEvery(), broker.alarms().journal().writes());

        // policies: each node's access replica announces changes; the queue looks up what applies to it
        ctx.getSystem().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Subscribe<>(
                io.warren.broker.protocol.PoliciesChanged.class,
                ctx.messageAdapter(io.warren.broker.protocol.PoliciesChanged.class, c -> new QueueCommand.ApplyPolicy(
                        holder.definition == null ? io.warren.core.policy.EffectivePolicy.NONE
                                : QueuePolicy.lookup(c.state(), holder.definition)))));
    }

    private static long[] concat(long[] a, long[] b) {
        long[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private void recovered(long seqNr, long startedAt) {
        Holder h = holder;
        journal.recovered(seqNr);
        if (h.state != null) configure(h.state);
        ctx.getLog().debug("queue '{}' in vhost '{}' recovered to sequence {} in {} ms", name, vhost, seqNr,
                (System.nanoTime() - startedAt) / 1_000_000);
        if (h.state != null && h.state.messageCount() > 0) {
            // Failover and restart tooling reads this line to time queue recovery.
            ctx.getLog().info("queue '{}' in vhost '{}' recovered with {} messages", name, vhost, h.state.messageCount());
        }
        if (h.state != null) applyPolicy(h, QueuePolicy.lookup(broker.users().state(), h.definition));
        scheduleTick(h);
        scheduleIdleCheck(h);
        publishStats(h);
    }

    /** The broker-wide settings a queue's core takes: consumer timeout, memory of settled ids. */
    private void configure(QueueState state) {
        state.defaultConsumerTimeout(broker.settings().consumerTimeoutMillis());
        state.settledIdMemory(broker.settings().settledIdsMax(), broker.settings().settledIdsMaxAge().toMillis());
    }

    /** The policy in force for this queue changed (or the queue started): its arguments in force follow. */
    private Behavior<QueueCommand> applyPolicy(Holder h, io.warren.core.policy.EffectivePolicy policy) {
        if (h.state == null) return this;
        QueueArguments next = QueuePolicy.arguments(h.definition, policy, ctx.getLog());
        if (next.equals(h.state.arguments())) return this;
        h.state.applyArguments(next, now());
        return afterChange(h, null);
    }

    @Override
    public Receive<QueueCommand> createReceive() {
        Holder h = holder;
        return newReceiveBuilder()
                .onMessage(Declare.class, c -> onDeclare(h, c))
                .onMessage(Enqueue.class, c -> onEnqueue(h, c))
                .onMessage(Consume.class, c -> onConsume(h, c))
                .onMessage(Cancel.class, c -> onCancel(h, c))
                .onMessage(Settle.class, c -> onSettle(h, c))
                .onMessage(Get.class, c -> onGet(h, c))
                .onMessage(Purge.class, c -> onPurge(h, c))
                .onMessage(QueueCommand.CheckExclusive.class, c -> onCheckExclusive(h, c))
                .onMessage(Delete.class, c -> onDelete(h, c))
                .onMessage(ChannelClosed.class, c -> onChannelClosed(h, c))
                .onMessage(Recover.class, c -> {
                    if (h.state == null) return this;
                    h.state.recover(c.channelId());
                    dropHeldDeliveries(c.channelId());
                    return afterChange(h, null);
                })
                .onMessage(OwnerClosed.class, c -> {
                    if (h.definition == null || !h.definition.exclusive() || !h.owner.equals(c.ownerConnection())) return this;
                    return deleteQueue(h, null, 0);
                })
                .onMessage(DeadLetterSettled.class, c -> onDeadLetterSettled(h, c))
                .onMessage(Tick.class, c -> onTick(h, c))
                .onMessage(QueueCommand.ApplyPolicy.class, c -> applyPolicy(h, c.policy()))
                .onMessage(ConnectionTerminated.class, c -> onConnectionTerminated(h, c))
                .onMessage(IdleCheck.class, c -> {
                    if (isIdle(h) && broker.alarms().journal().raised()) {
                        // Stopping now would be a remember-entities write into the failing journal, which stops
                        // the whole shard when it fails: stay until the journal is back.
                        scheduleIdleCheck(h);
                    } else if (isIdle(h)) {
                        // Nothing to keep in memory: let sharding stop us; the next command (or consumer) wakes us.
                        shard.tell(new org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.Passivate<>(ctx.getSelf()));
                    }
                    return this;
                })
                .onMessage(DeliveriesReceived.class, c -> onDeliveriesReceived(h, c))
                .onMessage(ProbeDeliveries.class, c -> probeDeliveries(h))
                .onMessage(NoAckWritten.class, c -> {
                    if (h.state == null) return this;
                    h.state.noAckWritten(new ConsumerKey(c.channelId(), c.consumerTag()), c.count());
                    return afterChange(h, null);
                })
                .onMessage(FenceCheck.class, c -> {
                    releaseFenced(h);
                    return this;
                })
                .onMessage(Flush.class, c -> {
                    flushScheduled = false;
                    releaseHeldAnswers(h);
                    journal.flush();
                    return this;
                })
                .onMessage(Written.class, w -> {
                    journal.onWritten(w.seqNr());
                    if (h.state != null) {
                        journal.maybeSnapshot((long) h.state.messageCount() + h.state.unackedCount(), h.state.readyBytes(),
                                h::toSnapshot);
                    }
                    journal.flush(); // what gathered during the write leaves now
                    return stopping && journal.idle() ? Behaviors.stopped() : this;
                })
                .onMessage(SnapshotStored.class, s -> {
                    if (!s.stored()) ctx.getLog().warn("{}: saving a snapshot failed; the journal is compacted after the next", where());
                    journal.onSnapshotStored(s);
                    return this;
                })
                .onMessage(WriteFailed.class, f -> {
                    // The store stops right after this; StoreStopped decides what follows.
                    retryingStore = f.retry();
                    if (f.retry()) {
                        journal.onFailed(f.cause());
                        if (journal.failedAttempts() == 1) ctx.getLog().debug("journal write of {} failed, retrying: {}", where(), f.cause());
                    } else {
                        ctx.getLog().warn("journal write of {} {}", where(), f.cause());
                    }
                    return this;
                })
                .onMessage(StoreStopped.class, s -> {
                    if (!retryingStore) {
                        // A write was rejected or conflicted, or the store failed otherwise: stop, and recover from
                        // what was written.
                        throw new IllegalStateException("the journal write of " + where() + " failed");
                    }
                    // The database failed the write (or the recovery of a restarted store): keep the state and the
                    // write, start a new store after a backoff.
                    if (storeRecovering) journal.onFailed("recovery of the restarted store failed");
                    store = null;
                    timers.startSingleTimer("respawn-store", RespawnStore.INSTANCE, Duration.ofMillis(journal.retryDelayMillis()));
                    return this;
                })
                .onMessage(RespawnStore.class, r -> {
                    ActorRef<QueueCommand> self = ctx.getSelf();
                    String pid = persistenceId;
                    // Only the sequence number is read: this entity's state is newer than anything replayed.
                    store = Adapter.actorOf(ctx, org.apache.pekko.actor.Props.create(QueueStore.class,
                            () -> new QueueStore(pid, self, true)), "store-" + (++storeIncarnation));
                    storeStartedAt = System.nanoTime();
                    ctx.watchWith(Adapter.toTyped(store), StoreStopped.INSTANCE);
                    storeRecovering = true;
                    return this;
                })
                .onMessage(Recovered.class, r -> {
                    // A restarted store: our state is newer than what it replayed; only its sequence number counts.
                    storeRecovering = false;
                    retryingStore = false;
                    int attempts = journal.failedAttempts();
                    journal.storeRecovered(r.seqNr());
                    if (attempts > 0 && journal.failedAttempts() == 0) {
                        ctx.getLog().debug("journal write of {} found written after {} failures", where(), attempts);
                    }
                    ctx.getLog().debug("{}: restarted store recovered to {} in {} ms", where(), r.seqNr(),
                            (System.nanoTime() - storeStartedAt) / 1_000_000);
                    journal.flush();
                    return stopping && journal.idle() ? Behaviors.stopped() : this;
                })
                .onMessage(Stop.class, c -> {
                    while (!heldAnswers.isEmpty()) heldAnswers.poll().run(); // handed off: the next incarnation has them
                    journal.flush();
                    if (journal.idle()) return Behaviors.stopped();
                    stopping = true;
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    journal.stopped();
                    broker.localQueues().remove(entityId);
                    return this;
                })
                .build();
    }

    // ---------------------------------------------------------------- commands

    private String where() {
        return "queue '" + name + "' in vhost '" + vhost + "'";
    }

    private AmqpException notFound() {
        return AmqpException.channel(ReplyCodes.NOT_FOUND, ReplyCodes.text(ReplyCodes.NOT_FOUND, "no " + where()));
    }

    private void checkOwner(Holder h, String connection) {
        if (h.definition.exclusive() && !h.owner.equals(connection)) {
            throw AmqpException.channel(ReplyCodes.RESOURCE_LOCKED, ReplyCodes.text(ReplyCodes.RESOURCE_LOCKED,
                    "cannot obtain exclusive access to locked " + where() + ". It could be originally declared on another"
                            + " connection or the exclusive property value does not match that of the original declaration."));
        }
    }

    private Behavior<QueueCommand> onDeclare(Holder h, Declare d) {
        try {
            if (h.definition == null) {
                if (d.passive()) throw notFound();
                QueueArguments args = QueueArguments.parse(d.definition().arguments());
                h.definition = d.definition();
                h.state = new QueueState(d.definition(), args);
                configure(h.state);
                h.state.applyArguments(QueuePolicy.arguments(h.definition,
                        QueuePolicy.lookup(broker.users().state(), h.definition), ctx.getLog()), now());
                h.owner = d.definition().exclusive() ? d.ownerConnection() : "";
                h.state.touch(now());
                QueueReply ok = new QueueReply.Ok(0, 0);
                if (!d.definition().durable()) {
                    scheduleTick(h);
                    publishStats(h);
                    d.replyTo().tell(ok);
                    return this;
                }
                return write(List.of(new QueueEntityEvent.Created(d.definition())), () -> {
                    scheduleTick(h);
                    scheduleIdleCheck(h);
                    publishStats(h);
                    d.replyTo().tell(ok);
                });
            }
            checkOwner(h, d.ownerConnection());
            if (!d.passive()) h.definition.checkEquivalent(d.definition());
            h.state.touch(now());
            d.replyTo().tell(new QueueReply.Ok(h.state.messageCount(), h.state.consumerCount()));
        } catch (AmqpException e) {
            d.replyTo().tell(QueueReply.Failed.of(e));
        }
        return this;
    }

    private Behavior<QueueCommand> onEnqueue(Holder h, Enqueue e) {
        if (h.state == null) {
            // The queue went away after the publisher routed to it: the message is dropped, as in RabbitMQ.
            e.replyTo().tell(new ConnectionProtocol.EnqueueSettled(e.channel(), name, e.publishSeqs(), new long[0]));
            return this;
        }
        long now = now();
        long[] accepted = new long[e.publishSeqs().length];
        long[] rejected = new long[e.publishSeqs().length];
        int a = 0, r = 0;
        List<Message> messages = e.messages();
        for (int i = 0; i < messages.size(); i++) {
            long seq = e.publishSeqs()[i];
            // a publish without a confirm is never re-sent: its id need not be remembered once settled
            PublishKind kind = e.resent() ? PublishKind.RESENT : seq == 0 ? PublishKind.UNCONFIRMED : PublishKind.CONFIRMED;
            PublishOutcome outcome = h.state.publish(messages.get(i), now, kind);
            published++;
            if (seq == 0) continue;
            if (outcome == PublishOutcome.REJECTED) rejected[r++] = seq;
            else accepted[a++] = seq;
        }
        if (e.channel() > 0) tellIncarnation(e.replyTo().unsafeUpcast(), e.channel());
        ConnectionProtocol.EnqueueSettled settled = new ConnectionProtocol.EnqueueSettled(e.channel(), name,
                Arrays.copyOf(accepted, a), Arrays.copyOf(rejected, r));
        return afterChange(h, () -> answerEnqueue(h, e.replyTo(), settled));
    }

    /**
     * Sends an enqueue's answer (after its journal write), or holds it while this queue has consumers and more than
     * {@value #HOLD_ANSWERS_ABOVE} ready messages: publishing connections stop reading while too many of their
     * messages are unanswered, so publishers slow to the pace of the consumers instead of growing the queue (and
     * every message's wait in it). A queue without consumers takes messages as fast as they come, as RabbitMQ does.
     * Answers to a connection that consumes from this queue are never held (its acks must keep being read), and no
     * answer waits longer than {@link #HOLD_ANSWERS_AT_MOST}.
     */
    private void answerEnqueue(Holder h, ActorRef<ConnectionProtocol.EnqueueSettled> replyTo,
                               ConnectionProtocol.EnqueueSettled settled) {
        Runnable answer = () -> replyTo.tell(settled);
        boolean hold = !heldAnswers.isEmpty() || (h.state != null && h.state.consumerCount() > 0
                && h.state.messageCount() > HOLD_ANSWERS_ABOVE && !watched.contains(replyTo.<ConnectionProtocol>unsafeUpcast()));
        if (!hold) {
            answer.run();
            return;
        }
        if (heldAnswers.isEmpty()) {
            heldSince = System.nanoTime();
            timers.startSingleTimer(HOLD_TIMER, Flush.INSTANCE, HOLD_ANSWERS_AT_MOST);
        }
        heldAnswers.add(answer);
    }

    /** Sends the held answers once the consumers have caught up (or left), or the oldest has waited long enough. */
    private void releaseHeldAnswers(Holder h) {
        if (heldAnswers.isEmpty()) return;
        boolean caughtUp = h.state == null || h.state.consumerCount() == 0 || h.state.messageCount() <= RELEASE_ANSWERS_AT;
        if (!caughtUp && System.nanoTime() - heldSince < HOLD_ANSWERS_AT_MOST.toNanos()) return;
        timers.cancel(HOLD_TIMER);
        while (!heldAnswers.isEmpty()) heldAnswers.poll().run();
    }

    private Behavior<QueueCommand> onConsume(Holder h, Consume c) {
        ConnectionProtocol.ConsumeResult result;
        try {
            if (h.state == null) throw notFound();
            checkOwner(h, c.ownerConnection());
            ConsumerKey key = new ConsumerKey(c.channelId(), c.consumerTag());
            if (!h.state.hasConsumer(key)) {
                h.state.checkGlobalQos(c.channelPrefetchLimited());
                h.state.addConsumer(key, !c.noAck(), c.prefetch(), c.priority(), c.exclusive());
            } else {
                h.state.changePrefetch(key, c.prefetch()); // a retry, or the channel-wide limit changed
            }
            attach(h, c.channelId(), c.connection(), c.channel());
            h.hadConsumers = true;
            result = new ConnectionProtocol.ConsumeResult(c.channel(), c.consumerTag(), 0, null);
        } catch (AmqpException e) {
            result = new ConnectionProtocol.ConsumeResult(c.channel(), c.consumerTag(), e.replyCode(), e.replyText());
        }
        // consume-ok must reach the channel before the first delivery: same sender, same receiver, sent first.
        c.connection().tell(result);
        if (!result.ok()) return this;
        return afterChange(h, null);
    }

    /** Remembers where a channel lives, watches its connection, and tells it which incarnation serves it. */
    private void attach(Holder h, String channelId, ActorRef<ConnectionProtocol> connection, int channel) {
        h.channels.put(channelId, new ConnectionRoute(connection, channel));
        if (watched.add(connection)) ctx.watchWith(connection, new ConnectionTerminated(connection));
        tellIncarnation(connection, channel);
    }

    private void tellIncarnation(ActorRef<ConnectionProtocol> connection, int channel) {
        if (toldIncarnation.add(new ChannelOf(connection, channel))) {
            connection.tell(new ConnectionProtocol.QueueIncarnation(channel, name, ctx.getSelf()));
        }
    }

    /** Its node died or it crashed: every channel of that connection is closed as far as this queue is concerned. */
    private Behavior<QueueCommand> onConnectionTerminated(Holder h, ConnectionTerminated t) {
        watched.remove(t.connection());
        toldIncarnation.removeIf(k -> k.connection().equals(t.connection()));
        if (h.state == null) return this;
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, ConnectionRoute> e : h.channels.entrySet()) {
            if (e.getValue().connection().equals(t.connection())) gone.add(e.getKey());
        }
        for (String channelId : gone) {
            h.state.channelClosed(channelId);
            h.channels.remove(channelId);
            deliveryStreams.closed(channelId);
            dropHeldDeliveries(channelId);
        }
        return autoDeleteOr(h);
    }

    private Behavior<QueueCommand> onCancel(Holder h, Cancel c) {
        if (h.state == null) return this;
        h.state.cancelConsumer(new ConsumerKey(c.channelId(), c.consumerTag()));
        if (c.replyTo() != null) c.replyTo().tell(new QueueReply.Ok(h.state.messageCount(), h.state.consumerCount()));
        return autoDeleteOr(h);
    }

    private Behavior<QueueCommand> onChannelClosed(Holder h, ChannelClosed c) {
        if (h.state == null) return this;
        h.state.channelClosed(c.channelId());
        h.channels.remove(c.channelId());
        deliveryStreams.closed(c.channelId());
        dropHeldDeliveries(c.channelId());
        return autoDeleteOr(h);
    }

    /**
     * A channel answered our numbered deliveries: when some never arrived (remoting lost them) or we asked what it
     * holds (no ack heard for long), the deliveries to it that it does not hold go back to the queue, redelivered,
     * instead of staying unacked for a client that never got them (or whose ack was lost) until the channel closes.
     */
    private Behavior<QueueCommand> onDeliveriesReceived(Holder h, DeliveriesReceived c) {
        deliveryStreams.confirmed(c.channelId(), c.seq());
        if (c.missingUpTo() == 0 || h.state == null) return this;
        int back = h.state.requeueUnreceived(c.channelId(), c.missingUpTo(), c.held());
        if (back == 0) return this;
        ctx.getLog().warn("{}: {} deliveries to channel {} never arrived, or their acks did not (lost between nodes); they"
                + " go back to the queue", where(), back, c.channelId());
        return afterChange(h, null);
    }

    /** Asks the channels that went quiet whether our last delivery message to them arrived (a lost tail shows no gap). */
    private Behavior<QueueCommand> probeDeliveries(Holder h) {
        // A probe overtaking deliveries held by the shut gate would report them missing: wait until they are out.
        if (!heldDeliveries.isEmpty()) return this;
        java.util.function.Predicate<String> holdsUnacked = channelId -> h.state != null && h.state.hasUnacked(channelId);
        for (DeliveryStreams.Probe p : deliveryStreams.probesDue(monotonicMillis(), PROBE_QUIET_MILLIS, AUDIT_AFTER_MILLIS,
                holdsUnacked)) {
            ConnectionRoute route = h.channels.get(p.channelId());
            if (route == null) {
                deliveryStreams.closed(p.channelId());
                continue;
            }
            route.connection().tell(new ConnectionProtocol.DeliveryProbe(route.channel(), name, incarnationId, p.seq(),
                    p.lastDeliveryId(), p.wantHeld()));
        }
        if (!deliveryStreams.watching(holdsUnacked)) timers.cancel(PROBE_TIMER);
        return this;
    }

    /** An auto-delete queue goes when its last consumer does (RabbitMQ: only if it ever had one). */
    private Behavior<QueueCommand> autoDeleteOr(Holder h) {
        if (h.definition.autoDelete() && h.hadConsumers && h.state.consumerCount() == 0) {
            return deleteQueue(h, null, 0);
        }
        return afterChange(h, null);
    }

    private Behavior<QueueCommand> onSettle(Holder h, Settle s) {
        if (h.state == null) return this;
        deliveryStreams.settled(s.channelId(), monotonicMillis());
        acked += s.acked().length;
        if (s.acked().length > 0) h.state.ack(s.channelId(), s.acked());
        if (s.requeued().length > 0) h.state.reject(s.channelId(), s.requeued(), true);
        if (s.discarded().length > 0) h.state.reject(s.channelId(), s.discarded(), false);
        return afterChange(h, null);
    }

    private boolean refuse(Holder h, String owner, ActorRef<QueueReply> replyTo) {
        try {
            if (h.state == null) throw notFound();
            checkOwner(h, owner);
            return false;
        } catch (AmqpException e) {
            replyTo.tell(QueueReply.Failed.of(e));
            return true;
        }
    }

    private Behavior<QueueCommand> onGet(Holder h, Get g) {
        if (refuse(h, g.ownerConnection(), g.replyTo())) return this;
        attach(h, g.channelId(), g.connection(), g.channel());
        var got = h.state.get(g.channelId(), g.noAck(), now());
        if (got.isPresent()) delivered++;
        QueueReply reply = got
                .<QueueReply>map(r -> new QueueReply.Got(
                        new QueueDelivery(null, r.deliveryId(), r.message(), r.redelivered(), r.messageCountAfter())))
                .orElseGet(QueueReply.Empty::new);
        return afterChange(h, () -> g.replyTo().tell(reply));
    }

    private Behavior<QueueCommand> onCheckExclusive(Holder h, QueueCommand.CheckExclusive c) {
        if (h.state == null || !refuse(h, c.ownerConnection(), c.replyTo())) c.replyTo().tell(new QueueReply.Ok(0, 0));
        return this;
    }

    private Behavior<QueueCommand> onPurge(Holder h, Purge p) {
        if (refuse(h, p.ownerConnection(), p.replyTo())) return this;
        int purged = h.state.purge();
        return afterChange(h, () -> p.replyTo().tell(new QueueReply.Ok(purged, 0)));
    }

    private Behavior<QueueCommand> onDelete(Holder h, Delete d) {
        if (h.state == null) {
            d.replyTo().tell(new QueueReply.Ok(0, 0)); // deleting a missing queue is fine, as in RabbitMQ
            return this;
        }
        try {
            checkOwner(h, d.ownerConnection());
            if (d.ifUnused() && h.state.consumerCount() > 0) {
                throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, where() + " in use"));
            }
            if (d.ifEmpty() && h.state.messageCount() > 0) {
                throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, where() + " not empty"));
            }
        } catch (AmqpException e) {
            d.replyTo().tell(QueueReply.Failed.of(e));
            return this;
        }
        return deleteQueue(h, d.replyTo(), h.state.messageCount());
    }

    /** Cancels every consumer, forgets the messages and (when durable) journals the deletion. */
    private Behavior<QueueCommand> deleteQueue(Holder h, ActorRef<QueueReply> replyTo, int messageCount) {
        h.state.delete();
        for (QueueEffect effect : h.state.takeEffects()) {
            if (effect instanceof QueueEffect.ConsumerCancelled c) {
                ConnectionRoute route = h.channels.get(c.consumer().channelId());
                if (route != null) route.connection().tell(new ConnectionProtocol.ConsumerCancelled(route.channel(), c.consumer().consumerTag()));
            }
        }
        boolean durable = h.definition.durable();
        broker.localQueues().remove(entityId);
        h.definition = null;
        h.state = null;
        h.owner = "";
        h.channels.clear();
        deliveryStreams.clear();
        h.hadConsumers = false;
        timers.cancelAll();
        timerAt = Long.MAX_VALUE;
        while (!heldAnswers.isEmpty()) heldAnswers.poll().run(); // the queue is gone: nothing to wait for
        Runnable after = () -> {
            if (replyTo != null) replyTo.tell(new QueueReply.Ok(messageCount, 0));
            else broker.topology().deleteQueue(vhost, name); // deleted from inside: routing must forget it too
            scheduleIdleCheck(h); // nothing left to keep: leave sharding (and remember-entities) soon
        };
        if (!durable) {
            after.run();
            return this;
        }
        return write(List.of(new QueueEntityEvent.Deleted()), after);
    }

    private Behavior<QueueCommand> onDeadLetterSettled(Holder h, DeadLetterSettled d) {
        if (h.state == null) return this;
        for (long seq : d.seqs()) {
            int[] remaining = deadLettersInFlight.get(seq);
            if (remaining != null && --remaining[0] <= 0) {
                deadLettersInFlight.remove(seq);
                h.state.deadLetterSettled(seq);
            }
        }
        return afterChange(h, null);
    }

    private Behavior<QueueCommand> onTick(Holder h, Tick t) {
        timerAt = Long.MAX_VALUE;
        if (h.state == null) return this;
        long now = now();
        if (h.state.expiresAt(now)) return deleteQueue(h, null, 0);
        h.state.tick(now);
        return afterChange(h, null);
    }

    // ---------------------------------------------------------------- effects

    /**
     * Lets the core hand out what it can, then turns its effects into one journal write and the messages to send
     * once that write is done (confirms and deliveries of persistent messages wait for the disk).
     */
    private Behavior<QueueCommand> afterChange(Holder h, Runnable reply) {
        h.state.deliver(now());
        List<QueueEffect> effects = h.state.takeEffects();
        List<QueueEntityEvent> events = new ArrayList<>();
        Map<String, List<QueueDelivery>> deliveries = null;
        List<QueueEffect.DeadLetter> deadLetters = null;
        for (QueueEffect effect : effects) {
            if (effect instanceof QueueEffect.Deliver d) {
                delivered++;
                if (deliveries == null) deliveries = new LinkedHashMap<>();
                deliveries.computeIfAbsent(d.consumer().channelId(), k -> new ArrayList<>())
                        .add(new QueueDelivery(d.consumer().consumerTag(), d.deliveryId(), d.message(), d.redelivered(), 0));
            } else if (effect instanceof QueueEffect.Journal j) {
                events.add(new QueueEntityEvent.Journal(j.event()));
            } else if (effect instanceof QueueEffect.DeadLetter dl) {
                if (deadLetters == null) deadLetters = new ArrayList<>();
                deadLetters.add(dl);
            } else if (effect instanceof QueueEffect.ConsumerCancelled c) {
                ConnectionRoute route = h.channels.get(c.consumer().channelId());
                if (route != null) route.connection().tell(new ConnectionProtocol.ConsumerCancelled(route.channel(), c.consumer().consumerTag()));
            } else if (effect instanceof QueueEffect.DeliveryTimedOut t) {
                consumerTimedOut(h, t);
            }
            // PublishRejected is reported through the enqueue's outcome.
        }
        // Deliveries do not wait for the disk, as in RabbitMQ's classic queues: only the publisher's confirm promises
        // durability. A consumer may see a message that a crash then loses unconfirmed (the publisher sends it
        // again); an ack of it is journalled after its Enqueued, since writes keep their order.
        if (deliveries != null) {
            boolean hold = !heldDeliveries.isEmpty() || !fence.open(); // held ones first: deliveries keep their order
            for (Map.Entry<String, List<QueueDelivery>> e : deliveries.entrySet()) {
                ConnectionRoute route = h.channels.get(e.getKey());
                if (route == null) continue;
                var deliver = numbered(e.getKey(), route, e.getValue());
                if (hold) heldDeliveries.add(new HeldDelivery(e.getKey(), route, deliver));
                else route.connection().tell(deliver);
            }
            if (hold) checkFenceLater();
        }
        final List<QueueEffect.DeadLetter> toDeadLetter = deadLetters;
        Runnable send = () -> {
            if (reply != null) reply.run();
            if (toDeadLetter != null) publishDeadLetters(toDeadLetter);
            scheduleTick(h);
            scheduleIdleCheck(h);
            publishStats(h);
        };
        releaseHeldAnswers(h);
        return write(events, send);
    }

    /**
     * Hands these events to the journal with what waits for them; they leave with every other command's handled
     * before the next write (a Flush behind them in the mailbox, or the end of the write in flight).
     */
    private Behavior<QueueCommand> write(List<QueueEntityEvent> events, Runnable after) {
        if (journal.add(events, after) && !flushScheduled) {
            flushScheduled = true;
            ctx.getSelf().tell(Flush.INSTANCE);
        }
        return this;
    }

    /** The delivery message to a channel, numbered when the channel is on another node (remoting may lose it). */
    private ConnectionProtocol.Deliver numbered(String channelId, ConnectionRoute route, List<QueueDelivery> deliveries) {
        if (route.connection().path().address().hasLocalScope()) {
            return new ConnectionProtocol.Deliver(route.channel(), name, deliveries);
        }
        long seq = deliveryStreams.sent(channelId, deliveries.get(deliveries.size() - 1).deliveryId(), monotonicMillis());
        if (!timers.isTimerActive(PROBE_TIMER)) timers.startTimerWithFixedDelay(PROBE_TIMER, ProbeDeliveries.INSTANCE, PROBE_CHECK_EVERY);
        return new ConnectionProtocol.Deliver(route.channel(), name, deliveries, incarnationId, seq);
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private void checkFenceLater() {
        if (!timers.isTimerActive(FENCE_TIMER)) timers.startSingleTimer(FENCE_TIMER, FenceCheck.INSTANCE, FENCE_CHECK_EVERY);
    }

    /** The core gave this channel's deliveries back (closed, recovered): the held ones were never sent, and go. */
    private void dropHeldDeliveries(String channelId) {
        if (!heldDeliveries.isEmpty()) heldDeliveries.removeIf(d -> d.channelId().equals(channelId));
    }

    /** The gate is open again: the held write, snapshot and deliveries leave, in the order they were made. */
    private void releaseFenced(Holder h) {
        if (!fence.open()) {
            checkFenceLater();
            return;
        }
        for (HeldDelivery d : heldDeliveries) {
            d.route().connection().tell(d.deliver());
        }
        heldDeliveries.clear();
        // Through the same gate as the first attempt, which is open now: one path to the store.
        if (heldRows != null) toStore.persist(heldRows);
        if (heldSnapshot != null) toStore.saveSnapshot(heldSnapshot);
    }

    /** The channel closes itself with 406 and gives its deliveries back (ChannelClosed), as on any channel close. */
    private void consumerTimedOut(Holder h, QueueEffect.DeliveryTimedOut t) {
        ConnectionRoute route = h.channels.get(t.channelId());
        if (route == null) return;
        ctx.getLog().warn("{}: a delivery to channel {} was not acknowledged within {} ms; closing the channel",
                where(), t.channelId(), t.timeoutMillis());
        route.connection().tell(new ConnectionProtocol.ConsumerTimedOut(route.channel(), name, t.deliveryId(), t.timeoutMillis()));
    }

    private void publishDeadLetters(List<QueueEffect.DeadLetter> deadLetters) {
        for (QueueEffect.DeadLetter dl : deadLetters) {
            Set<String> routed = broker.topology().table(vhost)
                    .route(dl.exchange(), dl.routingKeys(), dl.message().encodedProperties().headers());
            // RabbitMQ's cycle rule: never back into a queue the message already died in without a rejection.
            List<String> targets = new ArrayList<>(routed.size());
            for (String t : routed) if (!dl.cyclesInto(t)) targets.add(t);
            if (targets.isEmpty()) {
                ctx.getSelf().tell(new DeadLetterSettled(new long[] {dl.seq()}));
                continue;
            }
            deadLettersInFlight.put(dl.seq(), new int[] {targets.size()});
            for (String target : targets) {
                broker.queues().enqueue(vhost, target, new Enqueue(List.of(dl.message()), new long[] {dl.seq()}, deadLetterReplies, 0));
            }
        }
    }

    private void publishStats(Holder h) {
        if (h.state == null) {
            broker.localQueues().remove(entityId);
            return;
        }
        QueueDefinition d = h.definition;
        broker.localQueues().update(entityId, new LocalQueues.Stats(vhost, name, d.durable(), d.exclusive(), d.autoDelete(),
                h.state.messageCount(), h.state.unackedCount(), h.state.readyBytes(), h.state.consumerCount(),
                published, delivered, acked, d.arguments()));
    }

    /**
     * Durable, empty, unused queues with no timers pending may leave memory (100,000 idle queues cost little). So may
     * an entity without a queue (deleted, or woken by a command for a queue that does not exist): it holds nothing.
     * Such an entity used to stay forever: remember-entities then started it again on every failover of its shard,
     * and it replayed its whole journal up to the {@code Deleted} while the dead node's live queues recovered beside
     * it (FrozenNodeBench: deleted queues of earlier rounds replaying 3,000-4,700 events each, 0.4-1.5 s, in the
     * same failovers as the live queues).
     */
    private boolean isIdle(Holder h) {
        if (h.definition == null) return true;
        return h.state != null && h.definition.durable() && h.state.messageCount() == 0 && h.state.unackedCount() == 0
                && h.state.consumerCount() == 0 && h.state.nextDeadline().isEmpty() && deadLettersInFlight.isEmpty();
    }

    private void scheduleIdleCheck(Holder h) {
        if (!isIdle(h)) {
            timers.cancel(IdleCheck.INSTANCE);
            return;
        }
        // No queue: nothing to wait for (the check looks again when it fires, so a declare meanwhile keeps it).
        timers.startSingleTimer(IdleCheck.INSTANCE,
                h.definition == null ? FORGET_WITHOUT_QUEUE_AFTER : broker.settings().passivateIdleQueuesAfter());
    }

    private void scheduleTick(Holder h) {
        if (h.state == null) return;
        OptionalLong next = h.state.nextDeadline();
        if (next.isEmpty()) return;
        long at = next.getAsLong();
        if (at >= timerAt) return;
        timerAt = at;
        timers.startSingleTimer(Tick.INSTANCE, Duration.ofMillis(Math.max(1, at - now())));
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
