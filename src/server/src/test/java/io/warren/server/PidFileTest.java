package io.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    private final long self = ProcessHandle.current().pid();

    @Test
    void writesThisProcessAndCreatesTheDirectory() throws Exception {
        Path path = dir.resolve("nested/data/warren.pid");
        PidFile pidFile = PidFile.write(path);
        assertEquals(Optional.of(self), PidFile.read(path));
        assertEquals(self + "\n", Files.readString(path));
        pidFile.delete();
        assertFalse(Files.exists(path));
    }

    @Test
    void replacesAFileWhoseProcessHasExited() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Path path = dir.resolve("warren.pid");
        Files.writeString(path, exited.pid() + "\n");
        PidFile.write(path);
        assertEquals(Optional.of(self), PidFile.read(path));
    }

    @Test
    void replacesAFileWhosePidIsNowSomeOtherProgram() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Path path = dir.resolve("warren.pid");
            Files.writeString(path, sleeper.pid() + "\n");
            PidFile.write(path);
            assertEquals(Optional.of(self), PidFile.read(path));
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void refusesWhenALiveWarrenNodeOwnsTheDirectory() throws Exception {
        // a process whose command line names Warren's main class, as a running node's does
        Process node = new ProcessBuilder("bash", "-c", "sleep 30; true", Main.class.getName()).start();
        try {
            Path path = dir.resolve("warren.pid");
            Files.writeString(path, node.pid() + "\n");
            PidFile.AlreadyRunningException e = assertThrows(PidFile.AlreadyRunningException.class,
                    () -> PidFile.write(path));
            assertTrue(e.getMessage().contains("pid " + node.pid()), e.getMessage());
            assertEquals(Optional.of(node.pid()), PidFile.read(path), "the live node's file is left alone");
        } finally {
            node.destroy();
        }
    }

    @Test
    void findsTheMainClassBehindAClasspathLongerThanFourKilobytes() throws Exception {
        // ProcessHandle.Info.commandLine() stops at 4 KiB; a node's -cp is longer than that
        Process node = new ProcessBuilder("bash", "-c", "sleep 30; true", "x".repeat(5000), Main.class.getName())
                .start();
        try {
            Path path = dir.resolve("warren.pid");
            Files.writeString(path, node.pid() + "\n");
            assertThrows(PidFile.AlreadyRunningException.class, () -> PidFile.write(path));
        } finally {
            node.destroy();
        }
    }

    @Test
    void deleteLeavesAFileThatANewerNodeWrote() throws Exception {
        Path path = dir.resolve("warren.pid");
        PidFile ours = PidFile.write(path);
        Files.writeString(path, "999999999\n");
        ours.delete();
        assertEquals(Optional.of(999999999L), PidFile.read(path));
    }

    @Test
    void unreadableContentIsNoPid() throws Exception {
        Path path = dir.resolve("warren.pid");
        Files.writeString(path, "not a pid");
        assertEquals(Optional.empty(), PidFile.read(path));
        assertEquals(Optional.empty(), PidFile.read(dir.resolve("absent.pid")));
    }
}
