package io.warren.broker.connection;

import io.warren.broker.BrokerContext;
import io.warren.broker.connection.ConnectionProtocol.*;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * Binds the AMQP port with Pekko Streams TCP and gives each connection its own {@link ConnectionActor}: inbound
 * chunks go to the actor one at a time (it acks to get the next), outbound bytes come back one element at a
 * time (the stream acks), so both directions are bounded.
 */
public final class AmqpListener {
    private AmqpListener() {}

    public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, BrokerContext broker, String host, int port) {
        AtomicLong counter = new AtomicLong();
        ActorRef<ConnectionSupervisor.Spawn> supervisor =
                system.systemActorOf(ConnectionSupervisor.create(broker), "amqp-connections", Props.empty());
        // Message ids derive from connection ids and must not repeat after a restart (queues drop duplicates).
        String incarnation = Long.toString(System.currentTimeMillis(), 36);
        // Fixed socket buffers instead of the kernel's autotuning, which grows them to megabytes on a fast link:
        // whatever sits in them waits, so a publisher we stop reading, or a consumer that reads slowly, would queue
        // up hundreds of milliseconds of messages where no flow control of ours can see them.
        long buffer = system.settings().config().getBytes("warren.amqp.socket-buffer-size");
        List<Inet.SocketOption> options = buffer == 0 ? List.of()
                : List.of(TcpSO.receiveBufferSize((int) buffer), TcpSO.sendBufferSize((int) buffer));
        return Tcp.get(system).bind(host, port, 100, options, false, Optional.empty())
                .to(Sink.foreach(connection -> accept(system, broker, supervisor, connection, incarnation, counter.incrementAndGet())))
                .run(system);
    }

    private static void accept(ActorSystem<?> system, BrokerContext broker, ActorRef<ConnectionSupervisor.Spawn> supervisor,
                               Tcp.IncomingConnection connection, String incarnation, long n) {
        String remote = connection.remoteAddress().getHostString() + ":" + connection.remoteAddress().getPort();
        String id = broker.settings().nodeName() + "#" + incarnation + "." + n;
        AskPattern.<ConnectionSupervisor.Spawn, ActorRef<ConnectionProtocol>>ask(supervisor,
                        r -> new ConnectionSupervisor.Spawn(id, remote, n, r), Duration.ofSeconds(10), system.scheduler())
                .thenAccept(actor -> wire(system, connection, actor));
    }

    private static void wire(ActorSystem<?> system, Tcp.IncomingConnection connection, ActorRef<ConnectionProtocol> actor) {

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
        ActorRef<Outbound> outRef = connection.handleWith(Flow.fromSinkAndSourceCoupledMat(in, out, Keep.right()), system);
        actor.tell(new OutboundAttached(outRef));
    }
}
