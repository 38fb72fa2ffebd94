package io.warren.it.clients;

import io.warren.it.BrokerUnderTest;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
 * A second client library: the pika scripts under tests/python, run with Debian's /usr/bin/python3
 * (the one python3-pika installs into, whatever python3 is first on PATH).
 */
@ExtendWith(SharedBroker.class)
class PythonClientsTest {
    private static final String PYTHON = "/usr/bin/python3";
    private final BrokerUnderTest broker;

    PythonClientsTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @BeforeAll
    static void requirePika() throws Exception {
        boolean available = Files.isExecutable(Paths.get(PYTHON));
        if (available) {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import pika").redirectErrorStream(true).start();
            available = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        }
        assumeTrue(available, PYTHON + " cannot import pika: install Debian's python3-pika to run the pika tests");
    }

    @Test
    void pikaConnectionLifecycle() throws Exception {
        runScript("lifecycle.py", 120);
    }

    @Test
    void pikaWorkQueueSurvivesAConsumerDyingMidWork() throws Exception {
        runScript("work_queue.py", 150, "60");
    }

    private void runScript(String script, int timeoutSeconds, String... extraArgs) throws IOException, InterruptedException {
        Path dir = Paths.get(System.getProperty("warren.it.python.dir", "python"));
        List<String> command = new ArrayList<>(List.of(PYTHON, dir.resolve(script).toString(),
                broker.host(), String.valueOf(broker.port())));
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
