package io.warren.broker.queue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.broker.BrokerContext;
import io.warren.broker.connection.ConnectionProtocol;
import io.warren.broker.queue.QueueCommand.*;
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
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A queue: a sharded, event-sourced shell around the core {@link QueueState}. Commands go into the core, and its
 * effects come out as journal writes (grouped, through {@link QueueJournal}), deliveries grouped per channel, dead
 * letters and confirms. The state object is mutated by the command handler; Pekko's event handler only replays
 * during recovery, after which the queue writes its journal itself and never stashes commands behind a write.
 */
public final class QueueEntity extends EventSourcedBehavior<QueueCommand, QueueEntityEvent, QueueEntity.Holder> {

    public static final EntityTypeKey<QueueCommand> TYPE_KEY = EntityTypeKey.create(QueueCommand.class, "queue");

    /** The mutable state: the definition and the core queue, plus where each channel lives. */
    public static final class Holder {
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
    private boolean live;
    private long timerAt = Long.MAX_VALUE;
    private final long startedAt = System.nanoTime();
    private final QueueJournal journal;
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
    private final String entityId;
    private long published, delivered, acked;

    /** Connections (and their channels) told which incarnation serves them, and connections we watch. */
    private record ChannelOf(ActorRef<ConnectionProtocol> connection, int channel) {}

    private final Set<ChannelOf> toldIncarnation = new java.util.HashSet<>();
    private final Set<ActorRef<ConnectionProtocol>> watched = new java.util.HashSet<>();
    private final ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard;

    public static Behavior<QueueCommand> create(BrokerContext broker, EntityContext<QueueCommand> entity) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new QueueEntity(broker, ctx, timers, entity)));
    }

    private QueueEntity(BrokerContext broker, ActorContext<QueueCommand> ctx, TimerScheduler<QueueCommand> timers,
                        EntityContext<QueueCommand> entity) {
        super(PersistenceId.of("queue", entity.getEntityId()));
        this.entityId = entity.getEntityId();
        this.shard = entity.getShard();
        this.broker = broker;
        this.ctx = ctx;
        this.timers = timers;
        QueueIds.Name n = QueueIds.parse(this.entityId);
        this.vhost = n.vhost();
        this.name = n.queue();
        this.deadLetterReplies = ctx.messageAdapter(ConnectionProtocol.EnqueueSettled.class,
                s -> new DeadLetterSettled(concat(s.accepted(), s.rejected())));
        this.journal = new QueueJournal(ctx, persistenceId().id(), broker.journalCompactor(), broker.settings().snapshotEvery(),
                broker.alarms().journal().writes());
    }

    private static long[] concat(long[] a, long[] b) {
        long[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override
    public Holder emptyState() {
        return new Holder();
    }

    /** Snapshots store the definition and the persistent messages; the copy is made on the actor's own thread. */
    @Override
    public org.apache.pekko.persistence.typed.SnapshotAdapter<Holder> snapshotAdapter() {
        return new org.apache.pekko.persistence.typed.SnapshotAdapter<>() {
            @Override
            public Object toJournal(Holder h) {
                return h.toSnapshot();
            }

            @Override
            public Holder fromJournal(Object from) {
                return Holder.fromSnapshot((QueueEntitySnapshot) from);
            }
        };
    }

    @Override
    public EventHandler<Holder, QueueEntityEvent> eventHandler() {
        return (h, event) -> {
            if (live) return h; // the command handler already applied it
            if (event instanceof QueueEntityEvent.Created c) {
                h.definition = c.definition();
                h.state = new QueueState(c.definition(), QueueArguments.parse(c.definition().arguments()));
            } else if (event instanceof QueueEntityEvent.Journal j) {
                if (h.state != null) h.state.replay(j.event());
            } else if (event instanceof QueueEntityEvent.Batch b) {
                if (h.state != null) for (io.warren.core.queue.QueueEvent e : b.events()) h.state.replay(e);
            } else if (event instanceof QueueEntityEvent.Deleted) {
                h.definition = null;
                h.state = null;
            }
            return h;
        };
    }

    @Override
    public SignalHandler<Holder> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), h -> {
            live = true;
            journal.recovered(lastSequenceNumber(ctx));
            if (h.state != null) h.state.defaultConsumerTimeout(broker.settings().consumerTimeoutMillis());
            ctx.getLog().debug("queue '{}' in vhost '{}' recovered to sequence {} in {} ms", name, vhost, lastSequenceNumber(ctx),
                    (System.nanoTime() - startedAt) / 1_000_000);
            if (h.state != null && h.state.messageCount() > 0) {
                // Failover and restart tooling reads this line to time queue recovery.
                ctx.getLog().info("queue '{}' in vhost '{}' recovered with {} messages", name, vhost, h.state.messageCount());
            }
            scheduleTick(h);
            scheduleIdleCheck(h);
            publishStats(h);
        }).onSignal(org.apache.pekko.actor.typed.PostStop.instance(), h -> {
            journal.stopped();
            broker.localQueues().remove(entityId);
        }).build();
    }

    @Override
    public CommandHandler<QueueCommand, QueueEntityEvent, Holder> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Declare.class, this::onDeclare)
                .onCommand(Enqueue.class, this::onEnqueue)
                .onCommand(Consume.class, this::onConsume)
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Settle.class, this::onSettle)
                .onCommand(Get.class, this::onGet)
                .onCommand(Purge.class, this::onPurge)
                .onCommand(Delete.class, this::onDelete)
                .onCommand(ChannelClosed.class, this::onChannelClosed)
                .onCommand(Recover.class, (h, c) -> {
                    if (h.state == null) return Effect().none();
                    h.state.recover(c.channelId());
                    return afterChange(h, null);
                })
                .onCommand(OwnerClosed.class, (h, c) -> {
                    if (h.definition == null || !h.definition.exclusive() || !h.owner.equals(c.ownerConnection())) return Effect().none();
                    return deleteQueue(h, null, 0);
                })
                .onCommand(DeadLetterSettled.class, this::onDeadLetterSettled)
                .onCommand(Tick.class, this::onTick)
                .onCommand(ConnectionTerminated.class, this::onConnectionTerminated)
                .onCommand(IdleCheck.class, (h, c) -> {
                    if (isIdle(h)) {
                        // Nothing to keep in memory: let sharding stop us; the next command (or consumer) wakes us.
                        shard.tell(new org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.Passivate<>(ctx.getSelf()));
                    }
                    return Effect().none();
                })
                .onCommand(NoAckWritten.class, (h, c) -> {
                    if (h.state == null) return Effect().none();
                    h.state.noAckWritten(new ConsumerKey(c.channelId(), c.consumerTag()), c.count());
                    return afterChange(h, null);
                })
                .onCommand(Flush.class, (h, c) -> {
                    flushScheduled = false;
                    releaseHeldAnswers(h);
                    journal.flush();
                    return Effect().none();
                })
                .onCommand(Journalled.class, (h, j) -> {
                    if (!journal.onJournalled(j)) return Effect().none(); // an earlier row of the write
                    if (h.state != null) {
                        journal.maybeSnapshot((long) h.state.messageCount() + h.state.unackedCount(), h.state.readyBytes(),
                                h::toSnapshot);
                    }
                    journal.flush(); // what gathered during the write leaves now
                    return stopping && journal.idle() ? Effect().stop() : Effect().none();
                })
                .onCommand(SnapshotStored.class, (h, s) -> {
                    if (!s.stored()) ctx.getLog().warn("{}: saving a snapshot failed; the journal is compacted after the next", where());
                    journal.onSnapshotStored(s);
                    return Effect().none();
                })
                .onCommand(Stop.class, (h, c) -> {
                    while (!heldAnswers.isEmpty()) heldAnswers.poll().run(); // handed off: the next incarnation has them
                    journal.flush();
                    if (journal.idle()) return Effect().stop();
                    stopping = true;
                    return Effect().none();
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

    private Effect<QueueEntityEvent, Holder> onDeclare(Holder h, Declare d) {
        try {
            if (h.definition == null) {
                if (d.passive()) throw notFound();
                QueueArguments args = QueueArguments.parse(d.definition().arguments());
                h.definition = d.definition();
                h.state = new QueueState(d.definition(), args);
                h.state.defaultConsumerTimeout(broker.settings().consumerTimeoutMillis());
                h.owner = d.definition().exclusive() ? d.ownerConnection() : "";
                h.state.touch(now());
                QueueReply ok = new QueueReply.Ok(0, 0);
                if (!d.definition().durable()) {
                    scheduleTick(h);
                    publishStats(h);
                    d.replyTo().tell(ok);
                    return Effect().none();
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
        return Effect().none();
    }

    private Effect<QueueEntityEvent, Holder> onEnqueue(Holder h, Enqueue e) {
        if (h.state == null) {
            // The queue went away after the publisher routed to it: the message is dropped, as in RabbitMQ.
            e.replyTo().tell(new ConnectionProtocol.EnqueueSettled(e.channel(), name, e.publishSeqs(), new long[0]));
            return Effect().none();
        }
        long now = now();
        long[] accepted = new long[e.publishSeqs().length];
        long[] rejected = new long[e.publishSeqs().length];
        int a = 0, r = 0;
        List<Message> messages = e.messages();
        for (int i = 0; i < messages.size(); i++) {
            PublishOutcome outcome = h.state.publish(messages.get(i), now);
            published++;
            long seq = e.publishSeqs()[i];
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

    private Effect<QueueEntityEvent, Holder> onConsume(Holder h, Consume c) {
        ConnectionProtocol.ConsumeResult result;
        try {
            if (h.state == null) throw notFound();
            checkOwner(h, c.ownerConnection());
            ConsumerKey key = new ConsumerKey(c.channelId(), c.consumerTag());
            if (!h.state.hasConsumer(key)) {
                h.state.addConsumer(key, !c.noAck(), c.prefetch(), c.priority(), c.exclusive());
            }
            attach(h, c.channelId(), c.connection(), c.channel());
            h.hadConsumers = true;
            result = new ConnectionProtocol.ConsumeResult(c.channel(), c.consumerTag(), 0, null);
        } catch (AmqpException e) {
            result = new ConnectionProtocol.ConsumeResult(c.channel(), c.consumerTag(), e.replyCode(), e.replyText());
        }
        // consume-ok must reach the channel before the first delivery: same sender, same receiver, sent first.
        c.connection().tell(result);
        if (!result.ok()) return Effect().none();
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
    private Effect<QueueEntityEvent, Holder> onConnectionTerminated(Holder h, ConnectionTerminated t) {
        watched.remove(t.connection());
        toldIncarnation.removeIf(k -> k.connection().equals(t.connection()));
        if (h.state == null) return Effect().none();
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, ConnectionRoute> e : h.channels.entrySet()) {
            if (e.getValue().connection().equals(t.connection())) gone.add(e.getKey());
        }
        for (String channelId : gone) {
            h.state.channelClosed(channelId);
            h.channels.remove(channelId);
        }
        return autoDeleteOr(h);
    }

    private Effect<QueueEntityEvent, Holder> onCancel(Holder h, Cancel c) {
        if (h.state == null) return Effect().none();
        h.state.cancelConsumer(new ConsumerKey(c.channelId(), c.consumerTag()));
        if (c.replyTo() != null) c.replyTo().tell(new QueueReply.Ok(h.state.messageCount(), h.state.consumerCount()));
        return autoDeleteOr(h);
    }

    private Effect<QueueEntityEvent, Holder> onChannelClosed(Holder h, ChannelClosed c) {
        if (h.state == null) return Effect().none();
        h.state.channelClosed(c.channelId());
        h.channels.remove(c.channelId());
        return autoDeleteOr(h);
    }

    /** An auto-delete queue goes when its last consumer does (RabbitMQ: only if it ever had one). */
    private Effect<QueueEntityEvent, Holder> autoDeleteOr(Holder h) {
        if (h.definition.autoDelete() && h.hadConsumers && h.state.consumerCount() == 0) {
            return deleteQueue(h, null, 0);
        }
        return afterChange(h, null);
    }

    private Effect<QueueEntityEvent, Holder> onSettle(Holder h, Settle s) {
        if (h.state == null) return Effect().none();
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

    private Effect<QueueEntityEvent, Holder> onGet(Holder h, Get g) {
        if (refuse(h, g.ownerConnection(), g.replyTo())) return Effect().none();
        attach(h, g.channelId(), g.connection(), g.channel());
        var got = h.state.get(g.channelId(), g.noAck(), now());
        if (got.isPresent()) delivered++;
        QueueReply reply = got
                .<QueueReply>map(r -> new QueueReply.Got(
                        new QueueDelivery(null, r.deliveryId(), r.message(), r.redelivered(), r.messageCountAfter())))
                .orElseGet(QueueReply.Empty::new);
        return afterChange(h, () -> g.replyTo().tell(reply));
    }

    private Effect<QueueEntityEvent, Holder> onPurge(Holder h, Purge p) {
        if (refuse(h, p.ownerConnection(), p.replyTo())) return Effect().none();
        int purged = h.state.purge();
        return afterChange(h, () -> p.replyTo().tell(new QueueReply.Ok(purged, 0)));
    }

    private Effect<QueueEntityEvent, Holder> onDelete(Holder h, Delete d) {
        if (h.state == null) {
            d.replyTo().tell(new QueueReply.Ok(0, 0)); // deleting a missing queue is fine, as in RabbitMQ
            return Effect().none();
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
            return Effect().none();
        }
        return deleteQueue(h, d.replyTo(), h.state.messageCount());
    }

    /** Cancels every consumer, forgets the messages and (when durable) journals the deletion. */
    private Effect<QueueEntityEvent, Holder> deleteQueue(Holder h, ActorRef<QueueReply> replyTo, int messageCount) {
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
        h.hadConsumers = false;
        timers.cancelAll();
        timerAt = Long.MAX_VALUE;
        while (!heldAnswers.isEmpty()) heldAnswers.poll().run(); // the queue is gone: nothing to wait for
        Runnable after = () -> {
            if (replyTo != null) replyTo.tell(new QueueReply.Ok(messageCount, 0));
            else broker.topology().deleteQueue(vhost, name); // deleted from inside: routing must forget it too
        };
        if (!durable) {
            after.run();
            return Effect().none();
        }
        return write(List.of(new QueueEntityEvent.Deleted()), after);
    }

    private Effect<QueueEntityEvent, Holder> onDeadLetterSettled(Holder h, DeadLetterSettled d) {
        if (h.state == null) return Effect().none();
        for (long seq : d.seqs()) {
            int[] remaining = deadLettersInFlight.get(seq);
            if (remaining != null && --remaining[0] <= 0) {
                deadLettersInFlight.remove(seq);
                h.state.deadLetterSettled(seq);
            }
        }
        return afterChange(h, null);
    }

    private Effect<QueueEntityEvent, Holder> onTick(Holder h, Tick t) {
        timerAt = Long.MAX_VALUE;
        if (h.state == null) return Effect().none();
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
    private Effect<QueueEntityEvent, Holder> afterChange(Holder h, Runnable reply) {
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
            for (Map.Entry<String, List<QueueDelivery>> e : deliveries.entrySet()) {
                ConnectionRoute route = h.channels.get(e.getKey());
                if (route != null) route.connection().tell(new ConnectionProtocol.Deliver(route.channel(), name, e.getValue()));
            }
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
    private Effect<QueueEntityEvent, Holder> write(List<QueueEntityEvent> events, Runnable after) {
        if (journal.add(events, after) && !flushScheduled) {
            flushScheduled = true;
            ctx.getSelf().tell(Flush.INSTANCE);
        }
        return Effect().none();
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
                    .route(dl.exchange(), List.of(dl.routingKey()), dl.message().properties().headers());
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
                published, delivered, acked));
    }

    /** Durable, empty, unused queues with no timers pending may leave memory (100,000 idle queues cost little). */
    private boolean isIdle(Holder h) {
        return h.state != null && h.definition.durable() && h.state.messageCount() == 0 && h.state.unackedCount() == 0
                && h.state.consumerCount() == 0 && h.state.nextDeadline().isEmpty() && deadLettersInFlight.isEmpty();
    }

    private void scheduleIdleCheck(Holder h) {
        if (isIdle(h)) timers.startSingleTimer(IdleCheck.INSTANCE, broker.settings().passivateIdleQueuesAfter());
        else timers.cancel(IdleCheck.INSTANCE);
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
