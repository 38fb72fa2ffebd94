package io.warren.broker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.broker.auth.UserDirectory;
import io.warren.broker.connection.AmqpListener;
import io.warren.broker.connection.ConnectionRegistry;
import io.warren.broker.queue.JournalCompactor;
import io.warren.broker.queue.QueueClient;
import io.warren.broker.queue.QueueCommand;
import io.warren.broker.queue.QueueEntity;
import io.warren.broker.topology.RoutingReplica;
import io.warren.broker.topology.TopologyClient;
import io.warren.broker.topology.TopologyEntity;
import io.warren.broker.topology.VersionedChange;
import io.warren.core.routing.RoutingTable;
import io.warren.amqp.ReplyCodes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.stream.javadsl.Tcp;

/** One Warren node: the actor system, its cluster membership, the sharded entities and the AMQP listener. */
public final class WarrenNode {
    private final ActorSystem<Void> system;
    private final Tcp.ServerBinding binding;
    private final ConnectionRegistry connections;

    private BrokerContext broker;

    /** The node's shared services (queues, topology, connections, local queue figures), for the management API. */
    public BrokerContext broker() {
        return broker;
    }

    private WarrenNode(ActorSystem<Void> system, Tcp.ServerBinding binding, ConnectionRegistry connections) {
        this.system = system;
        this.binding = binding;
        this.connections = connections;
    }

    /** Starts a node from a fully resolved config (warren.* plus pekko.*). Blocks until AMQP is bound. */
    public static WarrenNode start(Config config) {
        Config effective = persistenceBackend(config).withFallback(config).resolve();
        Config warren = effective.getConfig("warren");
        JournalSchema.ensure(effective.getConfig("pekko-persistence-jdbc.shared-databases.warren.db"),
                effective.getString("warren.persistence.backend").equals("postgres"));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "warren", effective);
        try {

            Cluster cluster = Cluster.get(system);
            if (warren.getStringList("cluster.seed-nodes").isEmpty() && !warren.getBoolean("cluster.bootstrap")) {
                // A single node is a cluster of one that joins itself.
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }

            String host = warren.getString("amqp.host");
            int port = warren.getInt("amqp.port");
            String nodeName = warren.getString("node-name");
            if (nodeName.isEmpty()) nodeName = cluster.selfMember().address().hostPort();

            ConcurrentHashMap<String, RoutingTable> tables = new ConcurrentHashMap<>();
            TopologyClient topology = new TopologyClient(system, tables);
            ConnectionRegistry connections = new ConnectionRegistry();
            ActorRef<JournalCompactor.Command> compactor = system.systemActorOf(JournalCompactor.create(
                    effective.getConfig("pekko-persistence-jdbc.shared-databases.warren.db"),
                    effective.getString("jdbc-journal.tables.event_journal.tableName"),
                    effective.getString("jdbc-snapshot-store.tables.snapshot.tableName")), "journal-compactor", Props.empty());
            system.systemActorOf(io.warren.broker.alarm.JournalHealth.create(
                    effective.getConfig("pekko-persistence-jdbc.shared-databases.warren.db"),
                    io.warren.broker.alarm.ResourceAlarms.get(system).journal()), "journal-health", Props.empty());
            BrokerContext broker = new BrokerContext(BrokerSettings.from(warren, nodeName), new UserDirectory(warren),
                    new QueueClient(system), topology, connections,
                    io.warren.broker.alarm.ResourceAlarms.get(system), new io.warren.broker.queue.LocalQueues(),
                    compactor);

            ActorRef<Topic.Command<VersionedChange>> topic =
                    system.systemActorOf(Topic.create(VersionedChange.class, "warren-topology"), "topology-topic", Props.empty());
            ClusterSharding sharding = ClusterSharding.get(system);
            sharding.init(Entity.of(QueueEntity.TYPE_KEY, ctx -> QueueEntity.create(broker, ctx))
                    .withStopMessage(QueueCommand.Stop.INSTANCE));
            sharding.init(Entity.of(TopologyEntity.TYPE_KEY, ctx -> TopologyEntity.create(ctx.getEntityId(), topic)));
            java.util.concurrent.CompletableFuture<Void> routingLoaded = new java.util.concurrent.CompletableFuture<>();
            topology.attachReplica(system.systemActorOf(
                    RoutingReplica.create(tables, broker.users().vhosts(), topic, routingLoaded), "routing-replica", Props.empty()));
            routingLoaded.get(120, TimeUnit.SECONDS);

            Tcp.ServerBinding binding = AmqpListener.bind(system, broker, host, port).toCompletableFuture().get(30, TimeUnit.SECONDS);
            WarrenNode node = new WarrenNode(system, binding, connections);
            node.broker = broker;
            return node;
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("Warren failed to start: " + e.getMessage(), e);
        }
    }

    /** warren.persistence.backend = postgres points the shared journal database at PostgreSQL. */
    private static Config persistenceBackend(Config config) {
        String backend = config.getString("warren.persistence.backend");
        if (!backend.equals("postgres")) {
            // H2 wants an absolute path; the data directory may be given relative to where the node starts.
            java.nio.file.Path dir = java.nio.file.Paths.get(config.getString("warren.data-dir")).toAbsolutePath().normalize();
            return ConfigFactory.parseMap(Map.of("pekko-persistence-jdbc.shared-databases.warren.db.url",
                    "jdbc:h2:file:" + dir.resolve("journal").resolve("warren") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"));
        }
        Config pg = config.getConfig("warren.persistence.postgres");
        return ConfigFactory.parseMap(Map.of(
                "pekko-persistence-jdbc.shared-databases.warren.profile", "slick.jdbc.PostgresProfile$",
                "pekko-persistence-jdbc.shared-databases.warren.db.url", pg.getString("url"),
                "pekko-persistence-jdbc.shared-databases.warren.db.user", pg.getString("user"),
                "pekko-persistence-jdbc.shared-databases.warren.db.password", pg.getString("password"),
                "pekko-persistence-jdbc.shared-databases.warren.db.driver", "org.postgresql.Driver"));
    }

    public int amqpPort() {
        return ((InetSocketAddress) binding.localAddress()).getPort();
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Graceful: stop accepting, close connections with 320, leave the cluster, then stop the actor system. */
    public void stop(Duration timeout) {
        try {
            binding.unbind().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // Already unbound or timing out: carry on shutting down.
        }
        connections.closeAll(ReplyCodes.CONNECTION_FORCED, ReplyCodes.text(ReplyCodes.CONNECTION_FORCED, "broker forced connection closure with reason 'shutdown'"));
        try {
            Thread.sleep(Math.min(500, timeout.toMillis() / 4));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // The JVM is going away anyway.
        }
    }

    public CompletionStage<Done> whenTerminated() {
        return system.getWhenTerminated();
    }
}
