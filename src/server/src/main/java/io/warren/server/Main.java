package io.warren.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.warren.broker.WarrenNode;
import io.warren.server.management.ManagementServer;
import io.warren.server.management.PekkoManagementBoot;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a Warren node from the command line and stops it gracefully on SIGTERM/SIGINT. */
public final class Main {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /** Below bin/warren stop's 30 s wait, so a stop that is slow still finishes before the launcher gives up. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(25);

    private Main() {}

    public static void main(String[] args) {
        int code = run(List.of(args), System.out, System.err);
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /** Everything up to and including validation is here, apart from {@link #startNode}, so tests can call it. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            err.println("warren: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        }
        ConfigLoader.Sources sources = ConfigLoader.Sources.ofProcess(commandLine);
        if (commandLine.action() == CommandLine.Action.HELP) {
            out.print(HelpText.render(sources.reference()));
            return EXIT_OK;
        }
        ServerConfig config;
        try {
            Config loaded = ConfigLoader.load(sources);
            if (commandLine.action() == CommandLine.Action.PRINT_DATA_DIR) {
                // no full validation: bin/warren stop must find a running node even if the config changed since
                String dataDir = loaded.hasPath("warren.data-dir") ? loaded.getString("warren.data-dir") : "data";
                out.println(java.nio.file.Path.of(dataDir).toAbsolutePath().normalize());
                return EXIT_OK;
            }
            config = ServerConfig.from(loaded, sources.reference());
        } catch (InvalidConfigException e) {
            e.problems().forEach(p -> err.println(p));
            err.println("warren: invalid configuration, not starting (see --help)");
            return EXIT_USAGE;
        } catch (com.typesafe.config.ConfigException e) {
            err.println(e.getMessage());
            return EXIT_USAGE;
        }
        if (commandLine.action() == CommandLine.Action.PRINT_CONFIG) {
            out.println(config.config().getValue("warren").render(
                    ConfigRenderOptions.defaults().setOriginComments(true).setJson(false)));
            return EXIT_OK;
        }
        return startNode(config, err);
    }

    /**
     * The node's config plus Pekko Management's start-up hook: it must run while the actor system starts, before
     * WarrenNode.start waits for a cluster that Cluster Bootstrap may be the one to form.
     */
    public static Config withOperations(Config config) {
        if (!PekkoManagementBoot.pekkoManagementEnabled(config)) {
            return config;
        }
        List<String> extensions = new java.util.ArrayList<>(config.hasPath("pekko.extensions")
                ? config.getStringList("pekko.extensions") : List.of());
        String boot = PekkoManagementBoot.Id.class.getName();
        if (!extensions.contains(boot)) {
            extensions.add(boot);
        }
        return config.withValue("pekko.extensions", com.typesafe.config.ConfigValueFactory.fromIterable(extensions));
    }

    /** The ports this node will listen on, by config key (a single node's remoting uses an ephemeral port). */
    private static java.util.Map<String, java.net.InetSocketAddress> listeners(Config config) {
        java.util.Map<String, java.net.InetSocketAddress> listeners = new java.util.LinkedHashMap<>();
        listeners.put("warren.amqp.port", new java.net.InetSocketAddress(config.getString("warren.amqp.host"),
                config.getInt("warren.amqp.port")));
        if (config.hasPath("warren.management.enabled") && config.getBoolean("warren.management.enabled")) {
            listeners.put("warren.management.port", new java.net.InetSocketAddress(
                    config.getString("warren.management.host"), config.getInt("warren.management.port")));
        }
        boolean clustered = !config.getStringList("warren.cluster.seed-nodes").isEmpty()
                || (config.hasPath("warren.cluster.bootstrap") && config.getBoolean("warren.cluster.bootstrap"));
        if (clustered) {
            listeners.put("warren.cluster.remote-port", new java.net.InetSocketAddress(
                    config.getString("warren.cluster.remote-host"), config.getInt("warren.cluster.remote-port")));
        }
        pekkoManagementListener(config).ifPresent(address -> listeners.put("pekko.management.http.port", address));
        return listeners;
    }

    /**
     * Pekko Management's bind address when it runs (bind-hostname/bind-port, else hostname/port): it binds while the
     * actor system starts and logs a taken port with a stack trace, so it is checked with the others beforehand.
     */
    private static java.util.Optional<java.net.InetSocketAddress> pekkoManagementListener(Config config) {
        if (!PekkoManagementBoot.pekkoManagementEnabled(config) || !config.hasPath("pekko.management.http")) {
            return java.util.Optional.empty();
        }
        Config http = config.getConfig("pekko.management.http");
        String host = http.hasPath("bind-hostname") && !http.getString("bind-hostname").isEmpty()
                ? http.getString("bind-hostname") : http.getString("hostname");
        String port = http.hasPath("bind-port") && !http.getString("bind-port").isEmpty()
                ? http.getString("bind-port") : http.getString("port");
        try {
            if (host.equals("<hostname>")) host = java.net.InetAddress.getLocalHost().getHostAddress(); // Pekko's rule
            return java.util.Optional.of(new java.net.InetSocketAddress(host, Integer.parseInt(port.trim())));
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return java.util.Optional.empty(); // left to Pekko Management, which reports it
        }
    }

    private static int startNode(ServerConfig config, PrintStream err) {
        PidFile pidFile;
        try {
            pidFile = PidFile.write(config.pidFile());
        } catch (PidFile.AlreadyRunningException e) {
            err.println("warren: " + e.getMessage());
            return EXIT_FAILED;
        } catch (IOException e) {
            err.println("warren.data-dir: cannot write " + config.pidFile() + ": " + e);
            return EXIT_USAGE;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        java.util.Optional<String> taken = StartupFailure.takenPort(listeners(config.config()));
        if (taken.isPresent()) {
            log.error("Warren failed to start: {}", taken.get());
            pidFile.delete();
            return EXIT_FAILED;
        }
        WarrenNode node;
        try {
            node = WarrenNode.start(withOperations(config.config()));
        } catch (Exception e) { // Pekko (Scala) also throws checked exceptions, e.g. a TimeoutException from remoting
            java.util.Optional<String> portInUse = StartupFailure.portInUse(e);
            if (portInUse.isPresent()) log.error("Warren failed to start: {}", portInUse.get());
            else log.error("Warren failed to start", e);
            pidFile.delete();
            return EXIT_FAILED;
        }
        ManagementServer management;
        try {
            management = ManagementServer.start(node, config.config(), WarrenVersion.get());
        } catch (RuntimeException e) {
            log.error("Warren failed to start: {}", e.getMessage());
            node.stop(STOP_TIMEOUT);
            pidFile.delete();
            return EXIT_FAILED;
        }
        AtomicBoolean stopRequested = new AtomicBoolean();
        Thread shutdownHook = new Thread(() -> {
            stopRequested.set(true);
            log.info("Warren stopping (signal)");
            try {
                management.stop(Duration.ofSeconds(2));
                node.stop(STOP_TIMEOUT);
                node.whenTerminated().toCompletableFuture()
                        .get(STOP_TIMEOUT.toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
                log.info("Warren stopped");
            } catch (Exception e) {
                log.warn("Warren did not stop cleanly within {}", STOP_TIMEOUT, e);
            } finally {
                pidFile.delete();
            }
        }, "warren-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        log.info("Warren {} started: AMQP on {}:{}, data in {}", WarrenVersion.get(), config.amqpHost(),
                node.amqpPort(), config.dataDir());

        node.whenTerminated().toCompletableFuture().join();
        if (stopRequested.get()) {
            return EXIT_OK; // the shutdown hook owns the rest of the exit
        }
        // the node went down on its own (e.g. downed by the cluster): exit non-zero so a supervisor restarts it
        log.error("Warren node terminated without a stop request");
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            return EXIT_OK; // a signal arrived meanwhile: the hook is already running
        }
        pidFile.delete();
        return EXIT_FAILED;
    }
}
