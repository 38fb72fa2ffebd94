package io.warren.it.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests and compose file are checked by deploy/test/check-manifests.py (kinds, probes, ports,
 * selectors, RBAC), and that checker by its own unit tests, which break one thing at a time and expect it to fail.
 */
class DeployToolingTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static boolean pythonWithYaml() throws Exception {
        if (!new File("/usr/bin/python3").canExecute()) return false;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import yaml").redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static void run(List<String> command) throws Exception {
        assumeTrue(pythonWithYaml(), "Debian's python3-yaml is not installed (.ci/run installs it)");
        Path log = Files.createTempFile("deploy-check", ".log");
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertEquals(0, done ? p.exitValue() : -1, String.join(" ", command) + " failed:\n" + output);
    }

    @Test
    void renderedManifestsPassTheChecks() throws Exception {
        run(List.of("/usr/bin/python3", "deploy/test/check-manifests.py"));
    }

    @Test
    void theCheckerCatchesBrokenManifests() throws Exception {
        run(List.of("/usr/bin/python3", "-m", "unittest", "discover", "-s", "deploy/test", "-p", "test_*.py"));
    }
}
