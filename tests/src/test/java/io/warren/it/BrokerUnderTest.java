package io.warren.it;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The broker a test talks to: either a Warren process this class starts (and can stop, kill and restart
 * on the same data directory), or, with {@code -Dwarren.it.external=host:port}, a broker that is already
 * running (RabbitMQ, to validate the suite itself) which the suite never stops.
 */
public final class BrokerUnderTest implements AutoCloseable {
    public static final String EXTERNAL_PROPERTY = "warren.it.external";
    /** Warren's handshake timeout in Warren mode; RabbitMQ's is fixed at 10 s. */
    public static final Duration WARREN_HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration RABBITMQ_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** 60 s; -Dwarren.it.startup-timeout=<seconds> gives a heavily loaded host more. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(Long.getLong("warren.it.startup-timeout", 60));
    private static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String host;
    private final int port;
    private final boolean external;
    private final String name;
    private final Path dataDir;
    private final Map<String, String> settings;
    /** The Warren JVM; null for an external broker. */
    private final WarrenProcess process;
    /** --config file given to Warren, if any (settings that -D cannot express, such as lists of users). */
    private Path configFile;
    /** Extra JVM options of the Warren process (e.g. a heap size; the last -Xmx wins over the default). */
    private final List<String> jvmOptions = new ArrayList<>();

    private BrokerUnderTest(String host, int port, boolean external, String name, Path dataDir,
                            Map<String, String> settings) {
        this.host = host;
        this.port = port;
        this.external = external;
        this.name = name;
        this.dataDir = dataDir;
        this.settings = settings;
        this.process = external ? null : new WarrenProcess(name, logDirectory());
    }

    public static boolean isExternalMode() {
        String value = System.getProperty(EXTERNAL_PROPERTY);
        return value != null && !value.isBlank();
    }

    /** The external broker in external mode, else a freshly started Warren process. */
    public static BrokerUnderTest start(String name) {
        return isExternalMode() ? external(System.getProperty(EXTERNAL_PROPERTY)) : startWarren(name, Map.of());
    }

    public static BrokerUnderTest external(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = colon < 0 ? 5672 : Integer.parseInt(hostPort.substring(colon + 1));
        return new BrokerUnderTest(host, port, true, "external", null, Map.of());
    }

    /** Starts Warren with the suite's defaults plus {@code extraSettings} (warren.* keys). */
    public static BrokerUnderTest startWarren(String name, Map<String, String> extraSettings) {
        return startWarren(name, extraSettings, (String) null, List.of());
    }

    /** As above, plus a HOCON --config file with {@code configText} (below the -D settings in precedence). */
    public static BrokerUnderTest startWarren(String name, Map<String, String> extraSettings, String configText) {
        return startWarren(name, extraSettings, configText, List.of());
    }

    /** {@link #startWarren(String, Map)} with extra JVM options for the Warren process, e.g. {@code -Xmx1g}. */
    public static BrokerUnderTest startWarren(String name, Map<String, String> extraSettings, List<String> jvmOptions) {
        return startWarren(name, extraSettings, null, jvmOptions);
    }

    /** Both: a --config file (may be null) and extra JVM options. */
    public static BrokerUnderTest startWarren(String name, Map<String, String> extraSettings, String configText,
                                              List<String> jvmOptions) {
        try {
            Path logs = logDirectory();
            Path dataDir = Files.createTempDirectory(logs, name + "-data-");
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("warren.amqp.port", String.valueOf(freePort()));
            settings.put("warren.data-dir", dataDir.toString());
            settings.put("warren.management.enabled", "false");
            // /ready and /alive (port 7626) are not under test here; several brokers on one machine would collide
            settings.put("warren.management.pekko-management.enabled", "false");
            settings.put("warren.cluster.remote-port", "0");
            settings.put("warren.amqp.handshake-timeout", WARREN_HANDSHAKE_TIMEOUT.toSeconds() + "s");
            settings.putAll(extraSettings);
            BrokerUnderTest broker = new BrokerUnderTest("127.0.0.1",
                    Integer.parseInt(settings.get("warren.amqp.port")), false,
                    name + "-" + INSTANCES.incrementAndGet(), dataDir, settings);
            if (configText != null) {
                broker.configFile = Files.writeString(dataDir.resolveSibling(dataDir.getFileName() + ".conf"), configText);
            }
            broker.jvmOptions.addAll(jvmOptions);
            broker.launch();
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Warren", e);
        }
    }

    public String host() { return host; }

    public int port() { return port; }

    public boolean isExternal() { return external; }

    public Duration handshakeTimeout() {
        return external ? RABBITMQ_HANDSHAKE_TIMEOUT : WARREN_HANDSHAKE_TIMEOUT;
    }

    /** guest/guest on vhost "/", no automatic recovery: a test must see every failure. */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = ConnectionFactories.guestWithoutRecovery();
        factory.setHost(host);
        factory.setPort(port);
        factory.setChannelRpcTimeout(15_000);
        return factory;
    }

    public Connection newConnection() throws IOException, TimeoutException {
        return connectionFactory().newConnection();
    }

    public Socket openSocket() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Skips the calling test in external mode, where the suite cannot stop the broker. */
    public void assumeControllable() {
        assumeFalse(external, "needs a broker process this suite controls (not available in external mode)");
    }

    /** Graceful stop (SIGTERM) and start again on the same data directory and port. */
    public void restart() {
        assumeControllable();
        stopGracefully();
        launch();
    }

    /** kill -9, then start again on the same data directory and port. */
    public void killAndRestart() {
        assumeControllable();
        kill();
        launch();
    }

    /** The process id of the Warren JVM (for jcmd and the like). */
    public long pid() {
        assumeControllable();
        return process.pid();
    }

    public void kill() {
        assumeControllable();
        process.kill();
    }

    public void stopGracefully() {
        if (process != null) {
            process.stopGracefully(GRACEFUL_STOP_TIMEOUT);
        }
    }

    @Override
    public void close() {
        if (!external) {
            stopGracefully();
        }
    }

    /** The output of every process this broker has run so far, for failure messages. */
    public String output() {
        return process == null ? "" : process.output();
    }

    @Override
    public String toString() {
        return (external ? "external broker " : "Warren " + name + " ") + host + ":" + port;
    }

    private void launch() {
        // The settings go both ways, as JVM system properties and as -D program arguments, so that
        // Main sees them whichever way it reads its configuration.
        List<String> properties = new ArrayList<>();
        settings.forEach((key, value) -> properties.add("-D" + key + "=" + value));
        List<String> jvm = new ArrayList<>(jvmOptions);
        jvm.addAll(properties);
        List<String> arguments = new ArrayList<>(properties);
        if (configFile != null) arguments.addAll(List.of("--config", configFile.toString()));
        process.launch(jvm, arguments, null);
        process.awaitPort(host, port, STARTUP_TIMEOUT);
    }

    private static Path logDirectory() {
        Path dir = Paths.get(System.getProperty("warren.it.logs", "target/warren-logs"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
