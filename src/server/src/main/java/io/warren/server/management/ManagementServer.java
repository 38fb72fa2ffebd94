package io.warren.server.management;

import com.typesafe.config.Config;
import io.warren.broker.WarrenNode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import io.warren.broker.tls.ServerTlsContext;
import io.warren.broker.tls.TlsSettings;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The operations side of one node: its {@link NodeStats} (always, so that other nodes' management APIs see its
 * queues even when its own HTTP listener is off), the management HTTP listener when
 * {@code warren.management.enabled}, and the AMQP readiness that Pekko Management's {@code /ready} reports.
 * Started by Main once the node has started, stopped before the node stops.
 */
public final class ManagementServer {
    /** How long the API waits for other nodes' figures; a node slower than this is left out of the answer. */
    public static final Duration NODE_STATS_TIMEOUT = Duration.ofSeconds(2);

    private final WarrenNode node;
    private final Optional<ServerBinding> binding;

    private ManagementServer(WarrenNode node, Optional<ServerBinding> binding) {
        this.node = node;
        this.binding = binding;
    }

    /**
     * Starts the operations side of a started node; blocks until the HTTP listener is bound.
     *
     * @param config  the node's resolved config (reads warren.management.*)
     * @param version the product version the API reports
     * @throws IllegalStateException when the HTTP port cannot be bound
     */
    public static ManagementServer start(WarrenNode node, Config config, String version) {
        NodeStats.spawn(node.system(), node.broker());
        // WarrenNode.start returns only once AMQP is bound
        AmqpReadiness.get(node.system().classicSystem()).listening(true);
        if (!config.getBoolean("warren.management.enabled")) {
            return new ManagementServer(node, Optional.empty());
        }
        String host = config.getString("warren.management.host");
        int port = config.getInt("warren.management.port");
        ManagementApi api = new ManagementApi(node.system(),
                node.broker(), new ClusterReports(node.system(), NODE_STATS_TIMEOUT,
                        () -> NodeStats.report(node.system(), node.broker(),
                                Cluster.get(node.system()).selfMember().address().toString())), version);
        try {
            boolean https = config.getBoolean("warren.management.tls.enabled");
            var server = Http.get(node.system()).newServerAt(host, port);
            if (https) {
                // The same certificate files as AMQPS, re-read for new connections when they change.
                ServerTlsContext tls = new ServerTlsContext(TlsSettings.from(config.getConfig("warren.tls")));
                server = server.enableHttps(ConnectionContext.httpsServer(tls::newEngine));
            }
            ServerBinding binding = server.bind(api::handle).toCompletableFuture().get(30, TimeUnit.SECONDS);
            api.listening(node.amqpPort(), binding.localAddress().getPort());
            node.system().log().info("Management {} on {}://{}:{}/ (API under /api, Prometheus at /metrics)",
                    https ? "HTTPS" : "HTTP", https ? "https" : "http", host, binding.localAddress().getPort());
            return new ManagementServer(node, Optional.of(binding));
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            throw new IllegalStateException("management HTTP cannot listen on " + host + ":" + port + ": "
                    + cause.getMessage(), cause);
        }
    }

    /** The bound management HTTP port (useful with port 0), if the listener is enabled. */
    public Optional<Integer> httpPort() {
        return binding.map(b -> b.localAddress().getPort());
    }

    /**
     * Not ready from now on, then the HTTP listener closes, letting requests in flight finish for a moment.
     * Pekko Management itself stops with the actor system.
     */
    public void stop(Duration timeout) {
        AmqpReadiness.get(node.system().classicSystem()).listening(false);
        binding.ifPresent(b -> {
            try {
                b.terminate(timeout).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // stopping anyway: the actor system's shutdown closes what is left
            }
        });
    }
}
