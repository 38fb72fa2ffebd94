package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.frame.FrameParser;
import io.warren.amqp.frame.HeartbeatFrame;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.frame.ProtocolHeader;
import io.warren.amqp.frame.ProtocolHeaderMismatch;
import io.warren.amqp.method.*;
import io.warren.core.connection.TuneNegotiation;
import io.warren.broker.BrokerContext;
import io.warren.broker.auth.Authenticator;
import io.warren.broker.auth.UserDirectory;
import io.warren.broker.protocol.ConnectionProtocol.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * One AMQP connection: negotiation, heartbeats, frame dispatch to channels and protocol errors. Channels are plain
 * state objects owned by this actor, so a publish is routed without another actor hop. Outbound bytes are gathered
 * while a chunk of input is processed and written as one element, and the next inbound chunk is only asked for once
 * the outbound stream has caught up: a client that stops reading stops being read from.
 */
public final class ConnectionActor extends AbstractBehavior<ConnectionProtocol> {

    private enum State { AWAITING_HEADER, AWAITING_START_OK, AWAITING_TUNE_OK, AWAITING_OPEN, OPEN, CLOSING, CLOSED_BY_CLIENT, CLOSED }

    /** Pending outbound bytes above which we stop reading from the socket until the client catches up. */
    private static final int OUTBOUND_HIGH_WATER = 1 << 20;

    /**
     * Messages (one per destination queue) this connection may have in unanswered enqueue batches before it stops
     * reading: publishers are slowed to the pace of their queues (of the journal for persistent messages, of the
     * consumers when a queue holds its answers), like RabbitMQ's credit flow. Counted in messages, not batches: one
     * read of small messages makes a batch of a thousand, and 64 of those queued up a second of latency.
     */
    private static final int MAX_ENQUEUES_OUTSTANDING = 2048;

    /** Socket credit (see core SocketCredit) for deliveries in the write now on its way to the socket. */
    private final List<ChannelEffects.WrittenCredit> creditInWrite = new ArrayList<>();

    private final BrokerContext broker;
    private final TimerScheduler<ConnectionProtocol> timers;
    private final String connectionId;
    private final String remoteAddress;
    private final FrameParser parser;
    private final Map<Integer, Channel> channels = new HashMap<>();
    /** Carries out what the channels' cores decide. */
    private final ChannelEffects channelEffects = new ChannelEffects(this);

    private State state = State.AWAITING_HEADER;
    private ActorRef<Outbound> out;
    private boolean outboundBusy;
    private boolean outboundCompleted;
    private ByteStringBuilder pending = new ByteStringBuilder();
    private final List<ByteString> pendingBeforeAttach = new ArrayList<>();
    private ActorRef<StreamAck> inboundAckTo;
    private boolean inboundAckOwed;

    private UserDirectory.User user;
    private String vhost;
    private int channelMax;
    private int frameMax;
    private int heartbeatSeconds;
    private long lastReadNanos = System.nanoTime();
    private boolean wroteSinceTick;
    private boolean authFailureClose;
    private boolean publisher;
    private boolean blocked;
    private Map<String, Object> clientProperties = Map.of();
    /** AMQPS only: the CN of the client's verified certificate, the user SASL EXTERNAL logs in as. */
    private Optional<String> peerCommonName = Optional.empty();
    /** A login refusal held back by failure throttling, sent when Tick.AUTH_REFUSAL_DUE fires. */
    private String delayedRefusal;

    public static Behavior<ConnectionProtocol> create(BrokerContext broker, String connectionId, String remoteAddress) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ConnectionActor(ctx, timers, broker, connectionId, remoteAddress)));
    }

    private ConnectionActor(ActorContext<ConnectionProtocol> ctx, TimerScheduler<ConnectionProtocol> timers,
                            BrokerContext broker, String connectionId, String remoteAddress) {
        super(ctx);
        this.broker = broker;
        this.timers = timers;
        this.connectionId = connectionId;
        this.remoteAddress = remoteAddress;
        this.channelMax = broker.settings().channelMax();
        this.frameMax = broker.settings().frameMax();
        this.parser = new FrameParser((int) TuneNegotiation.FRAME_MIN_SIZE); // frame-max is 4096 until tune-ok
        timers.startSingleTimer(Tick.HANDSHAKE_TIMEOUT, broker.settings().handshakeTimeout());
        broker.connections().register(connectionId, ctx.getSelf());
    }

    @Override
    public Receive<ConnectionProtocol> createReceive() {
        return newReceiveBuilder()
                .onMessage(InboundStarted.class, m -> { inboundAckTo = m.ackTo(); m.ackTo().tell(StreamAck.INSTANCE); return this; })
                .onMessage(Inbound.class, this::onInbound)
                .onMessage(TlsEstablished.class, m -> { peerCommonName = m.peerCommonName(); return this; })
                .onMessage(InboundClosed.class, m -> terminate())
                .onMessage(OutboundAttached.class, this::onOutboundAttached)
                .onMessage(OutboundAck.class, m -> {
                    outboundBusy = false;
                    returnNoAckCredit();
                    flush();
                    return this;
                })
                .onMessage(Tick.class, this::onTick)
                .onMessage(ChannelAnswer.class, this::onChannelAnswer)
                .onMessage(ToChannel.class, this::onToChannel)
                .onMessage(QueueTerminated.class, this::onQueueTerminated)
                .onMessage(ResendTick.class, t -> {
                    long now = System.nanoTime();
                    long nackAfter = broker.alarms().journal().confirmTimeout().toNanos();
                    for (Channel ch : channels.values()) ch.onTick(now, RESEND_AFTER_NANOS, RETRY_RECOVERY_AFTER_NANOS, nackAfter);
                    // Tell publishers of an alarm now, not only at their next read (one waiting for a confirm reads nothing).
                    if (publisher && state != State.CLOSED && broker.alarms().publishersBlocked()) block();
                    for (Channel ch : channels.values()) ch.endOfInput();
                    flush();
                    if (state == State.OPEN) broker.connections().channelDetails(connectionId, channelDetails());
                    return this;
                })
                .onMessage(ForceClose.class, m -> { closeConnection(m.replyCode(), m.replyText(), 0, 0); flush(); return this; })
                // Also after a crash (the supervisor stops us without terminate()): free this connection's slot in
                // the node, vhost and user connection limits.
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
                    broker.connections().unregister(connectionId);
                    broker.access().limits().release(connectionId);
                    return this;
                })
                .build();
    }

    // ---------------------------------------------------------------- inbound

    private Behavior<ConnectionProtocol> onInbound(Inbound m) {
        if (state == State.CLOSED_BY_CLIENT) { m.ackTo().tell(StreamAck.INSTANCE); return this; } // discarded
        inboundAckTo = m.ackTo();
        lastReadNanos = System.nanoTime();
        if (state == State.CLOSED) return this;
        try {
            for (Frame frame : parser.feed(m.bytes())) {
                handleFrame(frame);
                if (state == State.CLOSED || state == State.CLOSED_BY_CLIENT) break;
            }
        } catch (ProtocolHeaderMismatch e) {
            // The client speaks another protocol version: tell it ours and hang up, as the spec asks.
            write(FrameEncoder.protocolHeader());
            closeSocket();
        } catch (AmqpException e) {
            closeConnection(e.replyCode(), e.replyText(), e.classId(), e.methodId());
        }
        for (Channel ch : channels.values()) ch.endOfInput();
        flush();
        if (state == State.CLOSED) return this;
        if (publisher && broker.alarms().publishersBlocked()) {
            block();
            inboundAckOwed = true;
            return this;
        }
        // Read on only once our writes drain and our queues keep up: this is what pushes back on publishers.
        if (pending.length() + (outboundBusy ? OUTBOUND_HIGH_WATER / 2 : 0) < OUTBOUND_HIGH_WATER
                && enqueuesOutstanding() < MAX_ENQUEUES_OUTSTANDING) {
            m.ackTo().tell(StreamAck.INSTANCE);
        } else {
            inboundAckOwed = true;
        }
        return this;
    }

    private void handleFrame(Frame frame) {
        if (state == State.CLOSING) {
            // After sending connection.close only close and close-ok mean anything (spec 2.2.4).
            if (frame instanceof MethodFrame mf && mf.channel() == 0) {
                if (mf.method() instanceof ConnectionCloseOk) { closeSocket(); }
                else if (mf.method() instanceof ConnectionClose) { sendMethod(0, new ConnectionCloseOk()); closeSocket(); }
            }
            return;
        }
        {
            Object sw145 = frame;
            if (sw145 instanceof ProtocolHeader h) {
                onProtocolHeader();
            } else if (sw145 instanceof HeartbeatFrame h) {
                
            } else if (sw145 instanceof MethodFrame mf && mf.channel() == 0) {
                onConnectionMethod(mf.method());
            } else if (sw145 instanceof MethodFrame mf) {
                channelFrame(mf.channel()).onMethod(mf.method());
            } else if (sw145 instanceof ContentHeaderFrame hf) {
                if (hf.channel() == 0) throw unexpectedOnChannelZero();
                channelFrame(hf.channel()).onContentHeader(hf);
            } else if (sw145 instanceof ContentBodyFrame bf) {
                if (bf.channel() == 0) throw unexpectedOnChannelZero();
                channelFrame(bf.channel()).onContentBody(bf);
            }
        }
    }

    private static AmqpException unexpectedOnChannelZero() {
        return AmqpException.connection(ReplyCodes.UNEXPECTED_FRAME,
                ReplyCodes.text(ReplyCodes.UNEXPECTED_FRAME, "content frame on channel 0"));
    }

    /** The channel a non-zero-channel frame belongs to; channel.open creates it. */
    private Channel channelFrame(int number) {
        if (state != State.OPEN) {
            throw AmqpException.connection(ReplyCodes.COMMAND_INVALID,
                    ReplyCodes.text(ReplyCodes.COMMAND_INVALID, "channel frame before the connection is open"));
        }
        Channel ch = channels.get(number);
        if (ch != null) return ch;
        if (number > channelMax) {
            throw AmqpException.connection(ReplyCodes.CHANNEL_ERROR,
                    ReplyCodes.text(ReplyCodes.CHANNEL_ERROR, "channel " + number + " is above channel-max " + channelMax));
        }
        ch = new Channel(this, number);
        channels.put(number, ch);
        broker.connections().channels(connectionId, channels.size());
        return ch;
    }

    // ---------------------------------------------------------------- negotiation

    private void onProtocolHeader() {
        state = State.AWAITING_START_OK;
        sendMethod(0, new ConnectionStart(0, 9, ServerProperties.build(broker.settings().version()),
                broker.access().authenticator().offered(peerCommonName.isPresent()), "en_US"));
    }

    private void onConnectionMethod(Method method) {
        switch (state) {
            case AWAITING_START_OK -> {
                if (!(method instanceof ConnectionStartOk so)) throw unexpectedMethod(method, "connection.start-ok");
                onStartOk(so);
            }
            case AWAITING_TUNE_OK -> {
                if (!(method instanceof ConnectionTuneOk to)) throw unexpectedMethod(method, "connection.tune-ok");
                onTuneOk(to);
            }
            case AWAITING_OPEN -> {
                if (!(method instanceof ConnectionOpen open)) throw unexpectedMethod(method, "connection.open");
                onOpen(open);
            }
            case OPEN -> {
                {
                    Object sw205 = method;
                    if (sw205 instanceof ConnectionClose c) {
                        sendMethod(0, new ConnectionCloseOk());
                        awaitClientClose();
                    } else if (sw205 instanceof ConnectionCloseOk c) {
                        closeSocket();
                    } else if (sw205 instanceof ConnectionBlocked b) {
                        
                    } else if (sw205 instanceof ConnectionUnblocked u) {
                        
                    } else if (sw205 instanceof ConnectionUpdateSecret u) {
                        onUpdateSecret(u);
                    } else {
                        throw unexpectedMethod(method, "a connection method");
                    }
                }
            }
            default -> throw unexpectedMethod(method, "nothing on channel 0");
        }
    }

    private static AmqpException unexpectedMethod(Method m, String expected) {
        return new AmqpException(ReplyCodes.COMMAND_INVALID,
                ReplyCodes.text(ReplyCodes.COMMAND_INVALID, "expected " + expected + ", got " + m.name()),
                m.classId(), m.methodId(), true);
    }

    private void onStartOk(ConnectionStartOk so) {
        clientProperties = so.clientProperties() == null ? Map.of() : so.clientProperties();
        authFailureClose = capability(clientProperties, "authentication_failure_close");
        String host = remoteAddress.substring(0, Math.max(0, remoteAddress.lastIndexOf(':')));
        Authenticator.Outcome outcome = broker.access().authenticator()
                .authenticate(so.mechanism(), so.response(), host, remoteAddress, peerCommonName);
        if (outcome instanceof Authenticator.Outcome.Refused r) {
            getContext().getLog().warn("{}: login refused ({}): {}{}", remoteAddress, so.mechanism(), r.logReason(),
                    r.delay().isZero() ? "" : "; answered after " + r.delay().toMillis() + " ms (repeated failures)");
            // Always connection.close 403 before the socket closes, as RabbitMQ does; with the client's
            // authentication_failure_close capability in RabbitMQ's words that point to the log.
            String text = authFailureClose ? "Login was refused using authentication mechanism " + so.mechanism()
                    + ". For details see the broker logfile." : r.clientText();
            if (r.delay().isZero()) {
                closeConnection(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED, text), 0, 0);
            } else {
                // Read nothing more and answer later: a guesser gets one try per delay per connection.
                delayedRefusal = text;
                state = State.CLOSING; // drops whatever else the client sends meanwhile
                timers.startSingleTimer(Tick.AUTH_REFUSAL_DUE, r.delay());
            }
            return;
        }
        user = ((Authenticator.Outcome.Accepted) outcome).user();
        state = State.AWAITING_TUNE_OK;
        sendMethod(0, new ConnectionTune(channelMax, frameMax, (int) broker.settings().heartbeat().toSeconds()));
    }

    @SuppressWarnings("unchecked")
    private static boolean capability(Map<String, Object> clientProperties, String name) {
        Object caps = clientProperties.get("capabilities");
        return caps instanceof Map<?, ?> m && Boolean.TRUE.equals(((Map<String, Object>) m).get(name));
    }

    /**
     * RabbitMQ hands the new secret to its auth backends (rabbit_access_control:update_state); its internal backend,
     * like Warren's user directory, checks a password only at login and accepts any new secret (amqplib's tests rely
     * on it). A token backend would re-check here and refuse with 530 "New secret was refused by one of the backends".
     */
    private void onUpdateSecret(ConnectionUpdateSecret u) {
        sendMethod(0, new ConnectionUpdateSecretOk());
    }

    private void onTuneOk(ConnectionTuneOk to) {
        // Out of range (frame-max below 4096, anything above our offer): 530 as RabbitMQ. Else the lower one wins.
        TuneNegotiation.check(channelMax, frameMax, to.channelMax(), to.frameMax());
        channelMax = lowerNonZero(channelMax, to.channelMax());
        frameMax = (int) lowerNonZero(frameMax, to.frameMax());
        parser.setFrameMax(frameMax);
        heartbeatSeconds = to.heartbeat();
        state = State.AWAITING_OPEN;
    }

    private static int lowerNonZero(int server, long client) {
        if (client == 0) return server;
        if (server == 0) return (int) client;
        return (int) Math.min(server, client);
    }

    private void onOpen(ConnectionOpen open) {
        String requested = open.virtualHost();
        if (!broker.users().vhostExists(requested)) {
            closeConnection(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED,
                    "vhost " + requested + " not found"), open.classId(), open.methodId());
            return;
        }
        if (!user.vhosts().contains(requested)) {
            closeConnection(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED,
                    "access to vhost '" + requested + "' refused for user '" + user.name() + "'"), open.classId(), open.methodId());
            return;
        }
        Optional<String> overLimit = broker.access().limits().admit(connectionId, requested, user.name());
        if (overLimit.isPresent()) {
            getContext().getLog().warn("{}: connection refused: {}", remoteAddress, overLimit.get());
            closeConnection(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED, overLimit.get()),
                    open.classId(), open.methodId());
            return;
        }
        vhost = requested;
        state = State.OPEN;
        broker.connections().opened(new ConnectionRegistry.Details(connectionId, remoteAddress + " -> " + broker.settings().nodeName(),
                user.name(), vhost, remoteAddress, System.currentTimeMillis(), clientProperties, channels.size(), frameMax,
                channelMax, heartbeatSeconds));
        timers.cancel(Tick.HANDSHAKE_TIMEOUT);
        if (heartbeatSeconds > 0) {
            // Check twice per interval: send when we have been quiet, give up after two silent intervals.
            timers.startTimerAtFixedRate(Tick.HEARTBEAT, Duration.ofMillis(heartbeatSeconds * 500L));
        }
        sendMethod(0, new ConnectionOpenOk());
        timers.startTimerWithFixedDelay(ResendTick.INSTANCE, Duration.ofNanos(Math.min(1_000_000_000L, RETRY_RECOVERY_AFTER_NANOS)));
    }

    // ---------------------------------------------------------------- timers

    private Behavior<ConnectionProtocol> onTick(Tick tick) {
        switch (tick) {
            case HANDSHAKE_TIMEOUT -> {
                if (state != State.OPEN) {
                    getContext().getLog().info("{}: handshake timed out", remoteAddress);
                    closeSocket();
                }
            }
            case HEARTBEAT -> {
                // While blocked we do not read, heartbeats included: the silence is ours (RabbitMQ pauses its
                // heartbeat monitor too), or a 20 s journal outage closes every publisher with heartbeat 5 s.
                if (blocked) lastReadNanos = System.nanoTime();
                long silentMillis = (System.nanoTime() - lastReadNanos) / 1_000_000;
                if (silentMillis > heartbeatSeconds * 2000L) {
                    getContext().getLog().info("{}: missed heartbeats from client, timeout: {}s", remoteAddress, heartbeatSeconds);
                    closeSocket();
                } else if (!wroteSinceTick) {
                    write(FrameEncoder.heartbeat());
                    flush();
                }
                wroteSinceTick = false;
            }
            case ALARM_CHECK -> maybeUnblock();
            case AUTH_REFUSAL_DUE -> {
                state = State.AWAITING_START_OK;
                closeConnection(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED, delayedRefusal), 0, 0);
                flush();
            }
            case CLOSE_TIMEOUT -> {
                if (state == State.CLOSED) {
                    if (out != null && !outboundCompleted) out.tell(new Outbound.Complete());
                    return terminate();
                }
                closeSocket();
            }
        }
        return this;
    }

    private Behavior<ConnectionProtocol> onChannelAnswer(ChannelAnswer a) {
        Channel ch = channels.get(a.channel());
        if (ch != null && ch.generation() == a.generation() && state == State.OPEN) {
            try {
                ch.onAnswer(a);
            } catch (AmqpException e) {
                ch.fail(e);
            }
            ch.endOfInput();
        }
        flush();
        return this;
    }

    /** Queue incarnations our channels use, and which channels use each. */
    private final Map<ActorRef<io.warren.broker.protocol.QueueCommand>, java.util.Set<Integer>> watchedQueues = new HashMap<>();
    private static final long RESEND_AFTER_NANOS = 20_000_000_000L;
    private final long RETRY_RECOVERY_AFTER_NANOS = getContext().getSystem().settings().config().getDuration("warren.cluster.failover.retry-interval").toNanos();

    private Behavior<ConnectionProtocol> onQueueTerminated(QueueTerminated t) {
        java.util.Set<Integer> users = watchedQueues.remove(t.ref());
        if (users == null || state != State.OPEN) return this;
        for (int number : users) {
            Channel ch = channels.get(number);
            if (ch != null) {
                ch.onQueueGone(t.ref());
                ch.endOfInput();
            }
        }
        flush();
        return this;
    }

    private Behavior<ConnectionProtocol> onToChannel(ToChannel m) {
        if (m instanceof ReplyConsumerQuery q) {
            Channel ch = state == State.OPEN ? channels.get(q.channel()) : null;
            q.replyTo().tell(ch != null && ch.hasReplyConsumer(q.key())
                    ? new io.warren.broker.protocol.QueueReply.Ok(0, 1) : new io.warren.broker.protocol.QueueReply.Empty());
            return this;
        }
        if (m instanceof QueueIncarnation qi) {
            java.util.Set<Integer> users = watchedQueues.get(qi.ref());
            if (users == null) {
                users = new java.util.HashSet<>();
                watchedQueues.put(qi.ref(), users);
                getContext().watchWith(qi.ref(), new QueueTerminated(qi.ref()));
            }
            users.add(qi.channel());
        }
        Channel ch = channels.get(m.channel());
        if (ch != null && state == State.OPEN) {
            try {
                ch.onQueueMessage(m);
            } catch (AmqpException e) {
                ch.fail(e);
            }
            ch.endOfInput();
        } else if (m instanceof Deliver d) {
            // The channel is gone: the queue must take these back, and drop its consumers (the channel's ChannelClosed
            // may have been lost on the way: remoting drops), or it delivers to them again and again.
            broker.queues().returnUnwanted(vhost, d.queue(), channelId(m.channel()), d.deliveries());
            broker.queues().tell(vhost, d.queue(), new QueueCommand.ChannelClosed(channelId(m.channel())));
        } else if (m instanceof DeliveryProbe p) {
            // The queue still numbers deliveries to a channel that is gone: say its ChannelClosed again, or the queue
            // holds that channel's unacked messages until the connection closes.
            broker.queues().tell(vhost, p.queue(), new QueueCommand.ChannelClosed(channelId(p.channel())));
        }
        flush();
        return this;
    }

    // ---------------------------------------------------------------- outbound

    private Behavior<ConnectionProtocol> onOutboundAttached(OutboundAttached m) {
        out = m.out();
        for (ByteString b : pendingBeforeAttach) pending.append(b);
        pendingBeforeAttach.clear();
        flush();
        return this;
    }

    void write(ByteString bytes) {
        pending.append(bytes);
        wroteSinceTick = true;
    }

    void sendMethod(int channel, Method m) {
        write(FrameEncoder.method(channel, m));
    }

    private void flush() {
        if (out != null && !outboundBusy) {
            if (pending.length() > 0) {
                out.tell(new Outbound.Bytes(pending.result()));
                pending = new ByteStringBuilder();
                outboundBusy = true;
                for (Channel ch : channels.values()) channelEffects.takeWritten(ch, creditInWrite);
            } else if (state == State.CLOSED && !outboundCompleted) {
                out.tell(new Outbound.Complete());
                outboundCompleted = true;
            }
        }
        maybeResumeReading();
    }

    /** A resource alarm (memory, journal) is up: stop reading from this publisher until it clears. */
    private void block() {
        if (blocked) return;
        blocked = true;
        if (clientCapability("connection.blocked")) {
            sendMethod(0, new ConnectionBlocked(broker.alarms().blockReason()));
            flush();
        }
        timers.startTimerWithFixedDelay(Tick.ALARM_CHECK, Duration.ofMillis(200));
    }

    private void maybeUnblock() {
        if (!blocked || broker.alarms().publishersBlocked()) return;
        blocked = false;
        timers.cancel(Tick.ALARM_CHECK);
        if (clientCapability("connection.blocked")) sendMethod(0, new ConnectionUnblocked());
        flush();
    }

    /** A channel published: this connection is subject to the memory alarm. */
    void markPublisher() {
        publisher = true;
    }

    private int enqueuesOutstanding() {
        int total = 0;
        for (Channel ch : channels.values()) total += ch.enqueuesOutstanding();
        return total;
    }

    /** The socket took the last write: the queues may send those consumers that much more. */
    private void returnNoAckCredit() {
        if (creditInWrite.isEmpty() || vhost == null) return;
        for (ChannelEffects.WrittenCredit c : creditInWrite) broker.queues().tell(vhost, c.queue(), c.credit());
        creditInWrite.clear();
    }

    private void maybeResumeReading() {
        if (blocked) return;
        if (inboundAckOwed && pending.length() < OUTBOUND_HIGH_WATER / 2 && inboundAckTo != null
                && enqueuesOutstanding() < MAX_ENQUEUES_OUTSTANDING / 2) {
            inboundAckOwed = false;
            inboundAckTo.tell(StreamAck.INSTANCE);
        }
    }

    // ---------------------------------------------------------------- closing

    /** Sends connection.close and waits (briefly) for close-ok; everything else the client sends is dropped. */
    void closeConnection(int code, String text, int classId, int methodId) {
        if (state == State.CLOSING || state == State.CLOSED || state == State.CLOSED_BY_CLIENT) return;
        boolean handshakeDone = state == State.OPEN || state == State.AWAITING_OPEN || state == State.AWAITING_TUNE_OK
                || (state == State.AWAITING_START_OK && code == ReplyCodes.ACCESS_REFUSED);
        if (state == State.AWAITING_HEADER) { closeSocket(); return; }
        sendMethod(0, new ConnectionClose(code, ReplyCodes.fitShortstr(text), classId, methodId));
        if (!handshakeDone) { closeSocket(); return; }
        state = State.CLOSING;
        releaseChannels();
        timers.startSingleTimer(Tick.CLOSE_TIMEOUT, Duration.ofSeconds(3));
    }

    /**
     * After close-ok to the client's connection.close, RabbitMQ leaves the socket to the client, discarding what still
     * arrives (a client flushing publishes must not get EPIPE), and closes it itself after the heartbeat interval,
     * at most 30 s (rabbit_reader:close_connection).
     */
    private void awaitClientClose() {
        releaseChannels();
        state = State.CLOSED_BY_CLIENT;
        timers.cancelAll();
        int seconds = heartbeatSeconds > 0 && heartbeatSeconds < 30 ? heartbeatSeconds : 30;
        timers.startSingleTimer(Tick.CLOSE_TIMEOUT, Duration.ofSeconds(seconds));
    }

    private void closeSocket() {
        if (state == State.CLOSED) return;
        releaseChannels();
        state = State.CLOSED;
        timers.cancelAll();
        flush();
        // The stream completing stops us; this timer stops us anyway if the client never drains its socket.
        timers.startSingleTimer(Tick.CLOSE_TIMEOUT, Duration.ofSeconds(5));
    }

    private void releaseChannels() {
        for (Channel ch : channels.values()) ch.release();
        channels.clear();
        if (vhost != null) broker.queues().deleteExclusiveQueues(vhost, connectionId);
    }

    private Behavior<ConnectionProtocol> terminate() {
        releaseChannels();
        state = State.CLOSED;
        broker.connections().unregister(connectionId);
        broker.access().limits().release(connectionId);
        return Behaviors.stopped();
    }

    // ---------------------------------------------------------------- for channels

    BrokerContext broker() { return broker; }
    ActorContext<ConnectionProtocol> context() { return getContext(); }
    ActorRef<ConnectionProtocol> self() { return getContext().getSelf(); }
    String vhost() { return vhost; }
    UserDirectory.User user() { return user; }
    String connectionId() { return connectionId; }
    String channelId(int number) { return connectionId + "/" + number; }

    private long messageCounter;

    /** A publish id unique in the cluster: node incarnation, connection and a per-connection sequence. */
    String nextMessageId() { return connectionId + "/" + (++messageCounter); }
    int frameMax() { return frameMax; }
    boolean clientCapability(String name) { return capability(clientProperties, name); }

    /** The channel sent or received channel.close-ok: its number may be reused. */
    void channelClosed(int number) {
        channels.remove(number);
        broker.connections().channels(connectionId, channels.size());
    }

    Channel openChannel(int number) { return channels.get(number); }
    ChannelEffects channelEffects() { return channelEffects; }

    /** The management API's view of this connection's channels (refreshed into the registry on every resend tick). */
    private List<ConnectionRegistry.ChannelDetails> channelDetails() {
        List<ConnectionRegistry.ChannelDetails> out = new java.util.ArrayList<>(channels.size());
        for (Channel ch : channels.values()) out.add(ch.details());
        return out;
    }
}
