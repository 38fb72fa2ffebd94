package io.warren.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code rabbitmqadmin} (shipped in rabbitmq-server, installed by .ci/run) driving a Warren's management API
 * as an operator would, and the Warren with its management listener that such tests start.
 */
public final class Rabbitmqadmin {
    public static final String PATH = System.getProperty("warren.it.rabbitmqadmin", "/usr/bin/rabbitmqadmin");

    public record Result(int exit, String output) {}

    /** A Warren with its management API on a free loopback port, reachable once this returns. */
    public record ManagedWarren(BrokerUnderTest broker, int http) {
        public BrokerAdmin admin() {
            return BrokerAdmin.http("127.0.0.1", http);
        }
    }

    private Rabbitmqadmin() {}

    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(Path.of(PATH)), "rabbitmqadmin is not installed (.ci/run installs it)");
    }

    public static ManagedWarren startWarren(String name) throws IOException {
        int http;
        try (ServerSocket s = new ServerSocket(0)) {
            http = s.getLocalPort();
        }
        BrokerUnderTest broker = BrokerUnderTest.startWarren(name, Map.of("warren.management.enabled", "true",
                "warren.management.host", "127.0.0.1", "warren.management.port", String.valueOf(http)));
        BrokerAdmin.http("127.0.0.1", http).awaitHttp(Duration.ofSeconds(60)); // the listener opens after AMQP
        return new ManagedWarren(broker, http);
    }

    public static Result run(int http, String user, String password, Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PATH, "-H", "127.0.0.1", "-P", String.valueOf(http),
                "-u", user, "-p", password));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("rabbitmqadmin timed out: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
