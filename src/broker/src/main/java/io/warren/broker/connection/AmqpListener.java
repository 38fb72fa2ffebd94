package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.BrokerContext;
import io.warren.broker.RateLimitedLog;
import io.warren.broker.protocol.ConnectionProtocol.*;
import io.warren.broker.tls.PeerIdentity;
import io.warren.broker.tls.ServerTlsContext;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the AMQP port (and the AMQPS port, TLS in front of the same pipeline) with Pekko Streams TCP and gives each
 * connection its own {@link ConnectionActor}: inbound chunks go to the actor one at a time (it acks to get the
 * next), outbound bytes come back one element at a time (the stream acks), so both directions are bounded.
 */
public final class AmqpListener {
    private static final Logger log = LoggerFactory.getLogger(AmqpListener.class);
    /** File descriptors the node keeps for itself (journal, cluster, jars) when no connection limit is set. */
    private static final long RESERVED_FILE_DESCRIPTORS = 512;

    private final ActorSystem<?> system;
    private final BrokerContext broker;
    private final ActorRef<ConnectionSupervisor.Spawn> supervisor;
    private final AtomicLong counter = new AtomicLong();
    // Message ids derive from connection ids and must not repeat after a restart (queues drop duplicates).
    private final String incarnation = Long.toString(System.currentTimeMillis(), 36);
    private final List<Inet.SocketOption> options;
    private final long maxConnections;
    private final RateLimitedLog refusals = new RateLimitedLog(log, Duration.ofSeconds(10));

    public AmqpListener(ActorSystem<?> system, BrokerContext broker) {
        this.system = system;
        this.broker = broker;
        this.supervisor = system.systemActorOf(ConnectionSupervisor.create(broker), "amqp-connections", Props.empty());
        // Fixed socket buffers instead of the kernel's autotuning, which grows them to megabytes on a fast link:
        // whatever sits in them waits, so a publisher we stop reading, or a consumer that reads slowly, would queue
        // up hundreds of milliseconds of messages where no flow control of ours can see them.
        long buffer = system.settings().config().getBytes("warren.amqp.socket-buffer-size");
        this.options = buffer == 0 ? List.of()
                : List.of(TcpSO.receiveBufferSize((int) buffer), TcpSO.sendBufferSize((int) buffer));
        this.maxConnections = connectionLimit(system.settings().config().getInt("warren.limits.connections"));
    }

    /**
     * The configured limit, or with none what the file descriptor limit allows: a node that runs out of descriptors
     * cannot accept (Pekko's accept loop then fails and logs for every pending connection) nor open its journal.
     */
    private static long connectionLimit(int configured) {
        if (configured > 0) return configured;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                && unix.getMaxFileDescriptorCount() > 2 * RESERVED_FILE_DESCRIPTORS) {
            return unix.getMaxFileDescriptorCount() - RESERVED_FILE_DESCRIPTORS;
        }
        return Long.MAX_VALUE;
    }

    public CompletionStage<Tcp.ServerBinding> bind(String host, int port) {
        return Tcp.get(system).bind(host, port, 100, options, false, Optional.empty())
                .to(Sink.foreach(connection -> accept(connection, Optional.empty())))
                .run(system);
    }

    /** AMQPS: TLS 1.2+ terminated here, each connection's engine from the context's current certificate files. */
    public CompletionStage<Tcp.ServerBinding> bindTls(String host, int port, ServerTlsContext tls) {
        return Tcp.get(system).bind(host, port, 100, options, false, Optional.empty())
                .to(Sink.foreach(connection -> accept(connection, Optional.of(tls))))
                .run(system);
    }

    private void accept(Tcp.IncomingConnection connection, Optional<ServerTlsContext> tls) {
        String remote = connection.remoteAddress().getHostString() + ":" + connection.remoteAddress().getPort();
        if (broker.connections().size() >= maxConnections) {
            // Closed before any byte is read or a connection actor exists, so a flood costs no more than the accept.
            connection.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), system);
            refusals.warn("Connection from " + remote + " refused: node connection limit (" + maxConnections
                    + ") is reached (warren.limits.connections)");
            return;
        }
        long n = counter.incrementAndGet();
        String id = broker.settings().nodeName() + "#" + incarnation + "." + n;
        AskPattern.<ConnectionSupervisor.Spawn, ActorRef<ConnectionProtocol>>ask(supervisor,
                        r -> new ConnectionSupervisor.Spawn(id, remote, n, r), Duration.ofSeconds(10), system.scheduler())
                .thenAccept(actor -> wire(connection, actor, tls));
    }

    private void wire(Tcp.IncomingConnection connection, ActorRef<ConnectionProtocol> actor,
                      Optional<ServerTlsContext> tls) {
        Sink<ByteString, ?> in = ActorSink.<ByteString, ConnectionProtocol, StreamAck>actorRefWithBackpressure(actor,
                (ackTo, bytes) -> new Inbound(bytes, ackTo),
                InboundStarted::new,
                StreamAck.INSTANCE,
                new InboundClosed(null),
                InboundClosed::new);
        Source<ByteString, ActorRef<Outbound>> out = ActorSource.<Outbound, OutboundAck>actorRefWithBackpressure(
                        actor.narrow(), OutboundAck.INSTANCE,
                        o -> o instanceof Outbound.Complete ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
                        o -> Optional.empty())
                .filter(o -> o instanceof Outbound.Bytes)
                .map(o -> ((Outbound.Bytes) o).bytes());
        Flow<ByteString, ByteString, ActorRef<Outbound>> amqp = Flow.fromSinkAndSourceCoupledMat(in, out, Keep.right());
        ActorRef<Outbound> outRef = connection.handleWith(
                tls.isPresent() ? overTls(amqp, tls.get(), actor, connection.remoteAddress()) : amqp, system);
        actor.tell(new OutboundAttached(outRef));
    }

    /**
     * The AMQP flow behind TLS. The first decrypted bytes carry the session: the connection learns its client
     * certificate's CN (for SASL EXTERNAL) before it sees the protocol header. Refused client certificates are
     * logged by the context's trust manager (the TLS stage reports a failed handshake to nobody).
     */
    private Flow<ByteString, ByteString, ActorRef<Outbound>> overTls(Flow<ByteString, ByteString, ActorRef<Outbound>> amqp,
                                                                      ServerTlsContext tls, ActorRef<ConnectionProtocol> actor,
                                                                      java.net.InetSocketAddress peer) {
        BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed> engine =
                TLS.create(() -> tls.newEngine(peer.getHostString(), peer.getPort()),
                        TLSClosing.eagerClose());
        AtomicBoolean sessionSeen = new AtomicBoolean();
        Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, ActorRef<Outbound>> plain =
                Flow.of(TLSProtocol.SslTlsInbound.class)
                        .map(i -> {
                            if (!(i instanceof TLSProtocol.SessionBytes sb)) return ByteString.emptyByteString();
                            if (sessionSeen.compareAndSet(false, true)) {
                                actor.tell(new TlsEstablished(PeerIdentity.commonName(sb.session())));
                            }
                            return sb.bytes();
                        })
                        .filter(b -> !b.isEmpty())
                        .viaMat(amqp, Keep.right())
                        .map(b -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(b));
        return engine.reversed().join(plain, Keep.right());
    }

}
