package io.warren.broker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.broker.access.AccessEntity;
import io.warren.broker.access.AccessReplica;
import io.warren.broker.protocol.AccessSnapshot;
import io.warren.broker.access.AccessWriter;
import io.warren.broker.auth.UserDirectory;
import io.warren.broker.cluster.DemandFirstAllocation;
import io.warren.broker.cluster.FailoverSettings;
import io.warren.broker.cluster.FirstSeedGuard;
import io.warren.broker.cluster.JournalFence;
import io.warren.broker.connection.AmqpListener;
import io.warren.broker.connection.ConnectionRegistry;
import io.warren.broker.queue.JournalCompactor;
import io.warren.broker.queue.QueueClient;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.queue.QueueEntity;
import io.warren.broker.topology.RoutingReplica;
import io.warren.broker.topology.TopologyClient;
import io.warren.broker.topology.TopologyEntity;
import io.warren.broker.protocol.VersionedChange;
import io.warren.core.routing.RoutingTable;
import io.warren.amqp.ReplyCodes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
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
    /** The AMQPS listener, when warren.amqp.tls.enabled. */
    private java.util.Optional<Tcp.ServerBinding> tlsBinding = java.util.Optional.empty();
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
        boolean singleNode = config.getStringList("warren.cluster.seed-nodes").isEmpty()
                && !config.getBoolean("warren.cluster.bootstrap");
        Config resolved = singleNodeRemoting(singleNode)
                .withFallback(persistenceBackend(config)).withFallback(config).resolve();
        boolean firstSeed = isFirstSeed(resolved);
        Config effective = firstSeed
                ? ConfigFactory.parseMap(FirstSeedGuard.PEKKO_SETTINGS).withFallback(resolved)
                : resolved;
        Config warren = effective.getConfig("warren");
        JournalSchema.ensure(effective.getConfig("pekko-persistence-jdbc.shared-databases.warren.db"),
                effective.getString("warren.persistence.backend").equals("postgres"));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "warren", effective);
        try {

            Cluster cluster = Cluster.get(system);
            if (singleNode) {
                // A single node is a cluster of one that joins itself.
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            if (firstSeed) startFirstSeedGuard(system, effective);
            startLoneNodeGuard(system, effective);

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
            UserDirectory users = new UserDirectory(warren);
            topology.policyAlternates(vhost -> exchange -> users.state().exchangePolicy(vhost, exchange).alternateExchange());
            BrokerContext broker = new BrokerContext(BrokerSettings.from(warren, nodeName), users,
                    new QueueClient(system), topology, connections,
                    io.warren.broker.alarm.ResourceAlarms.get(system), new io.warren.broker.queue.LocalQueues(),
                    compactor, io.warren.broker.auth.AccessControl.from(warren, users));

            ActorRef<Topic.Command<VersionedChange>> topic =
                    system.systemActorOf(Topic.create(VersionedChange.class, "warren-topology"), "topology-topic", Props.empty());
            ClusterSharding sharding = ClusterSharding.get(system);
            sharding.init(Entity.of(QueueEntity.TYPE_KEY, ctx -> QueueEntity.create(broker, ctx))
                    .withStopMessage(QueueEntity.STOP)
                    .withAllocationStrategy(new DemandFirstAllocation(Adapter.toClassic(system),
                            warren.getDuration("cluster.failover.unrequested-shard-delay"),
                            effective.getInt("pekko.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit"))));
            sharding.init(Entity.of(TopologyEntity.TYPE_KEY, ctx -> TopologyEntity.create(ctx.getEntityId(), topic)));
            // Users, vhosts and permissions first: they say which vhosts' routing tables this node must load.
            ActorRef<Topic.Command<AccessSnapshot>> accessTopic =
                    system.systemActorOf(Topic.create(AccessSnapshot.class, "warren-access"), "access-topic", Props.empty());
            sharding.init(Entity.of(AccessEntity.TYPE_KEY, ctx -> AccessEntity.create(accessTopic)));
            broker.users().attachWriter(change -> AccessWriter.send(system, change));
            java.util.concurrent.CompletableFuture<Void> accessLoaded = new java.util.concurrent.CompletableFuture<>();
            system.systemActorOf(AccessReplica.create(broker.users(), accessTopic, accessLoaded), "access-replica", Props.empty());
            accessLoaded.get(120, TimeUnit.SECONDS);
            java.util.concurrent.CompletableFuture<Void> routingLoaded = new java.util.concurrent.CompletableFuture<>();
            topology.attachReplica(system.systemActorOf(
                    RoutingReplica.create(tables, broker.users().vhosts(), topic, routingLoaded), "routing-replica", Props.empty()));
            routingLoaded.get(120, TimeUnit.SECONDS);

            AmqpListener listener = new AmqpListener(system, broker);
            Tcp.ServerBinding binding = listener.bind(host, port).toCompletableFuture().get(30, TimeUnit.SECONDS);
            WarrenNode node = new WarrenNode(system, binding, connections);
            if (warren.getBoolean("amqp.tls.enabled")) {
                io.warren.broker.tls.ServerTlsContext tls =
                        new io.warren.broker.tls.ServerTlsContext(io.warren.broker.tls.TlsSettings.from(warren.getConfig("tls")));
                node.tlsBinding = java.util.Optional.of(listener.bindTls(host, warren.getInt("amqp.tls.port"), tls)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
                system.log().info("AMQPS (TLS) on {}:{}", host, node.amqpsPort().orElseThrow());
            }
            node.broker = broker;
            JournalWarmUp.start(system);
            return node;
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("Warren failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * A single node talks to no other node: its remoting listens on an ephemeral loopback port, so that two single
     * nodes on one host do not collide on warren.cluster.remote-port.
     */
    private static Config singleNodeRemoting(boolean singleNode) {
        if (!singleNode) return ConfigFactory.empty();
        return ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0));
    }

    /**
     * warren.persistence.backend = postgres points the shared journal database at PostgreSQL, with this
     * incarnation's session tag (for fencing, see JournalFence) in the URL and as a cluster role.
     */
    private static Config persistenceBackend(Config config) {
        String backend = config.getString("warren.persistence.backend");
        if (!backend.equals("postgres")) {
            // H2 wants an absolute path; the data directory may be given relative to where the node starts.
            java.nio.file.Path dir = java.nio.file.Paths.get(config.getString("warren.data-dir")).toAbsolutePath().normalize();
            return ConfigFactory.parseMap(Map.of("pekko-persistence-jdbc.shared-databases.warren.db.url",
                    "jdbc:h2:file:" + dir.resolve("journal").resolve("warren") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"));
        }
        Config pg = config.getConfig("warren.persistence.postgres");
        String nodeName = config.getString("warren.node-name");
        if (nodeName.isEmpty()) {
            nodeName = config.getString("warren.cluster.remote-host") + ":" + config.getString("warren.cluster.remote-port");
        }
        String sessionTag = JournalFence.newSessionTag(nodeName);
        java.util.List<String> roles = new java.util.ArrayList<>(config.getStringList("pekko.cluster.roles"));
        roles.add(FailoverSettings.SESSION_ROLE_PREFIX + sessionTag);
        String url = JournalFence.taggedUrl(pg.getString("url"), sessionTag,
                String.valueOf(pg.getDuration("lock-timeout").toMillis()),
                String.valueOf(pg.getDuration("idle-in-transaction-timeout").toMillis()));
        return ConfigFactory.parseMap(Map.of(
                "pekko.cluster.roles", roles,
                "pekko-persistence-jdbc.shared-databases.warren.profile", "slick.jdbc.PostgresProfile$",
                "pekko-persistence-jdbc.shared-databases.warren.db.url", url,
                "pekko-persistence-jdbc.shared-databases.warren.db.user", pg.getString("user"),
                "pekko-persistence-jdbc.shared-databases.warren.db.password", pg.getString("password"),
                "pekko-persistence-jdbc.shared-databases.warren.db.driver", "org.postgresql.Driver"));
    }

    public int amqpPort() {
        return ((InetSocketAddress) binding.localAddress()).getPort();
    }

    /** The bound AMQPS port, when the TLS listener is enabled. */
    public java.util.Optional<Integer> amqpsPort() {
        return tlsBinding.map(b -> ((InetSocketAddress) b.localAddress()).getPort());
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /**
     * Whether this node is the first of two or more seed nodes, the one that Pekko lets form a new cluster: its
     * canonical remoting address is the first seed-nodes entry (Pekko compares the same two addresses).
     */
    private static boolean isFirstSeed(Config resolved) {
        List<String> seeds = resolved.getStringList("warren.cluster.seed-nodes");
        if (seeds.size() < 2) return false;
        Address self = new Address("pekko", "warren",
                resolved.getString("pekko.remote.artery.canonical.hostname"),
                resolved.getInt("pekko.remote.artery.canonical.port"));
        return AddressFromURIString.parse(seeds.get(0)).equals(self);
    }

    /**
     * The first seed node forms a new cluster only when no other seed node runs, instead of when none has answered
     * within Pekko's seed-node-timeout ({@link io.warren.broker.cluster.FirstSeedVerdict}).
     */
    private static void startFirstSeedGuard(ActorSystem<Void> system, Config config) {
        Config failover = config.getConfig("warren.cluster.failover");
        ((org.apache.pekko.actor.ExtendedActorSystem) system.classicSystem()).systemActorOf(
                FirstSeedGuard.props(config.getStringList("warren.cluster.seed-nodes").stream()
                                .map(AddressFromURIString::parse).toList(),
                        failover.getDuration("probe-interval"), failover.getDuration("probe-timeout"),
                        config.getDuration("warren.cluster.first-seed-forms-after")), "first-seed-guard");
    }

    /**
     * With seed nodes and exit-when-downed: a first seed node that formed a cluster of its own (restarted while cut
     * off from the others) exits when another seed node answers, so that its next incarnation joins them
     * ({@link io.warren.broker.cluster.LoneNodeVerdict}).
     */
    private static void startLoneNodeGuard(ActorSystem<Void> system, Config config) {
        List<String> seeds = config.getStringList("warren.cluster.seed-nodes");
        if (seeds.size() < 2 || !config.getBoolean("warren.cluster.failover.exit-when-downed")) return;
        Config failover = config.getConfig("warren.cluster.failover");
        // A system actor: a typed system with a user guardian of its own takes no top-level actors from outside.
        ((org.apache.pekko.actor.ExtendedActorSystem) system.classicSystem()).systemActorOf(
                io.warren.broker.cluster.LoneNodeGuard.props(
                seeds.stream().map(org.apache.pekko.actor.AddressFromURIString::parse).toList(),
                failover.getDuration("probe-interval"), failover.getDuration("probe-timeout"),
                failover.getDuration("alone-exit-after")), "lone-node-guard");
    }

    /** Graceful: stop accepting, close connections with 320, leave the cluster, then stop the actor system. */
    public void stop(Duration timeout) {
        try {
            binding.unbind().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (tlsBinding.isPresent()) tlsBinding.get().unbind().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
