package io.warren.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pika scripts under tests/python (directory: {@code -Dwarren.it.python.dir}), run against a broker with
 * Debian's /usr/bin/python3, the one python3-pika installs into, whatever python3 is first on PATH.
 */
public final class PythonScripts {
    public static final String PYTHON = "/usr/bin/python3";

    private PythonScripts() {}

    /** Skips the calling tests when that python cannot import pika. */
    public static void assumePikaAvailable() throws IOException, InterruptedException {
        boolean available = Files.isExecutable(Paths.get(PYTHON));
        if (available) {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import pika").redirectErrorStream(true).start();
            available = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        assumeTrue(available, PYTHON + " cannot import pika: install Debian's python3-pika to run the pika tests");
    }

    /**
     * Runs {@code script host port extraArgs...} and fails unless it exits with 0 within {@code timeoutSeconds}
     * and prints OK; the script's output is in every failure message.
     */
    public static void run(BrokerUnderTest broker, String script, int timeoutSeconds, String... extraArgs)
            throws IOException, InterruptedException {
        runWithPort(broker, broker.port(), script, timeoutSeconds, extraArgs);
    }

    /** As {@link #run}, against another port of the broker (e.g. its AMQPS listener). */
    public static void runWithPort(BrokerUnderTest broker, int port, String script, int timeoutSeconds, String... extraArgs)
            throws IOException, InterruptedException {
        Path dir = Paths.get(System.getProperty("warren.it.python.dir", "python"));
        List<String> command = new ArrayList<>(List.of(PYTHON, dir.resolve(script).toString(),
                broker.host(), String.valueOf(port)));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(script + " did not finish within " + timeoutSeconds + " s:\n" + output(process));
        }
        String output = output(process);
        assertEquals(0, process.exitValue(), script + " failed:\n" + output);
        assertTrue(output.contains("OK"), script + " did not report OK:\n" + output);
    }

    private static String output(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
