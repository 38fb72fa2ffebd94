package io.warren.it.features;

import io.warren.it.BrokerUnderTest;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dead-letter workflow from a second client library: tests/python/dead_letter.py (pika, Debian's
 * /usr/bin/python3) nacks failed jobs into a DLQ, inspects x-death, re-publishes and processes them.
 */
@ExtendWith(SharedBroker.class)
class PythonDeadLetterTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final int TIMEOUT_SECONDS = 60;
    private final BrokerUnderTest broker;

    PythonDeadLetterTest(BrokerUnderTest broker) {
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
    void pikaDeadLetterInspectAndRetry() throws Exception {
        Path script = Paths.get(System.getProperty("warren.it.python.dir", "python")).resolve("dead_letter.py");
        Process process = new ProcessBuilder(PYTHON, script.toString(), broker.host(), String.valueOf(broker.port()), "10")
                .redirectErrorStream(true).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("dead_letter.py did not finish within " + TIMEOUT_SECONDS + " s:\n" + output(process));
        }
        String output = output(process);
        assertEquals(0, process.exitValue(), "dead_letter.py failed:\n" + output);
        assertTrue(output.contains("OK"), "dead_letter.py did not report OK:\n" + output);
    }

    private static String output(Process process) throws java.io.IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
