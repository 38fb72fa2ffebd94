package io.warren.server.management;

import com.typesafe.config.Config;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Pekko Management ({@code /alive}, {@code /ready}, cluster HTTP) and, when asked for, Cluster Bootstrap,
 * while the actor system is being created: the server lists this class in {@code pekko.extensions}. It cannot wait
 * until {@code WarrenNode.start} returns, because that waits for the routing tables, which need a cluster, which
 * under Cluster Bootstrap only forms once the bootstrap contact points (served by Pekko Management) are up.
 * <p>
 * Reads {@code warren.management.pekko-management.enabled} (default auto: clustered nodes only) and {@code warren.cluster.bootstrap}
 * (default false; Cluster Bootstrap runs only when it is true and {@code warren.cluster.seed-nodes} is empty).
 */
public final class PekkoManagementBoot implements Extension {
    private static final Logger LOG = LoggerFactory.getLogger(PekkoManagementBoot.class);

    /** The extension id, named in {@code pekko.extensions}. */
    public static final Id ID = new Id();

    public static final class Id extends AbstractExtensionId<PekkoManagementBoot> implements ExtensionIdProvider {
        @Override
        public PekkoManagementBoot createExtension(ExtendedActorSystem system) {
            return new PekkoManagementBoot(system);
        }

        @Override
        public Id lookup() {
            return ID;
        }
    }

    private final boolean managementStarted;
    private final boolean bootstrapStarted;

    private PekkoManagementBoot(ExtendedActorSystem system) {
        Config config = system.settings().config();
        managementStarted = pekkoManagementEnabled(config);
        bootstrapStarted = managementStarted && clusterBootstrapEnabled(config);
        if (managementStarted) {
            PekkoManagement.get(system).start().whenComplete((uri, failure) -> {
                if (failure != null) {
                    LOG.error("Pekko Management failed to start", failure);
                } else {
                    LOG.info("Pekko Management (/alive, /ready) on {}", uri);
                }
            });
        }
        if (bootstrapStarted) {
            LOG.info("Cluster Bootstrap: finding the other nodes through {}",
                    config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
            ClusterBootstrap.get(system).start();
        }
    }

    /**
     * {@code auto} (the default) runs it only on a clustered node: a single node has no cluster to bootstrap or
     * report, and its health is on the management API, so it leaves port 7626 to another node on the same host.
     */
    public static boolean pekkoManagementEnabled(Config config) {
        String key = "warren.management.pekko-management.enabled";
        if (!config.hasPath(key) || AUTO.equalsIgnoreCase(config.getString(key))) {
            return clustered(config);
        }
        return config.getBoolean(key);
    }

    /** The value of {@code warren.management.pekko-management.enabled} that decides by the node's clustering. */
    public static final String AUTO = "auto";

    private static boolean clustered(Config config) {
        boolean seeds = config.hasPath("warren.cluster.seed-nodes")
                && !config.getStringList("warren.cluster.seed-nodes").isEmpty();
        boolean bootstrap = config.hasPath("warren.cluster.bootstrap") && config.getBoolean("warren.cluster.bootstrap");
        return seeds || bootstrap;
    }

    /** Bootstrap replaces the seed nodes; with seed nodes configured they win, as the broker joins them. */
    public static boolean clusterBootstrapEnabled(Config config) {
        return config.hasPath("warren.cluster.bootstrap") && config.getBoolean("warren.cluster.bootstrap")
                && config.getStringList("warren.cluster.seed-nodes").isEmpty();
    }

    public boolean managementStarted() {
        return managementStarted;
    }

    public boolean bootstrapStarted() {
        return bootstrapStarted;
    }
}
