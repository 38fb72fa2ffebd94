package io.warren.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The probe's evidence against real sockets and a real stopped process: only a refusal counts as a crash. */
class CrashProbeTest {

    @Test
    void aListeningPortAnswersAndAClosedOneRefuses() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0)) {
            port = server.getLocalPort();
            assertEquals(CrashVerdict.Probe.ANSWERED, FailoverGuard.connect("127.0.0.1", port, 1000));
        }
        assertEquals(CrashVerdict.Probe.REFUSED, FailoverGuard.connect("127.0.0.1", port, 1000));
    }

    @Test
    void aFrozenProcessStillAnswers() throws Exception {
        // A kill -STOP'ed process cannot accept(), but its kernel completes the handshake: silence, not a crash.
        Process listener;
        try {
            listener = new ProcessBuilder("python3", "-c", "import socket,time\n"
                    + "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(64)\n"
                    + "print(s.getsockname()[1], flush=True)\ntime.sleep(60)").start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "python3 is needed for this test: " + e);
            return;
        }
        try {
            int port = Integer.parseInt(new BufferedReader(new InputStreamReader(listener.getInputStream(),
                    StandardCharsets.UTF_8)).readLine().trim());
            assertEquals(0, new ProcessBuilder("kill", "-STOP", String.valueOf(listener.pid())).start().waitFor());
            for (int i = 0; i < 5; i++) {
                assertEquals(CrashVerdict.Probe.ANSWERED, FailoverGuard.connect("127.0.0.1", port, 1000));
            }
            listener.destroyForcibly().waitFor();
            assertEquals(CrashVerdict.Probe.REFUSED, FailoverGuard.connect("127.0.0.1", port, 1000));
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(listener.pid())).start().waitFor();
            listener.destroyForcibly();
        }
    }
}
