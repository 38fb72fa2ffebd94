package io.warren.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code <data-dir>/warren.pid}: how {@code bin/warren stop} finds the node, and how a second node is kept
 * from opening the same journal.
 */
public final class PidFile {

    /** Another live Warren process already owns the data directory. */
    public static final class AlreadyRunningException extends RuntimeException {
        public AlreadyRunningException(String message) {
            super(message);
        }
    }

    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /**
     * Writes this process's pid, replacing a stale file whose process is gone.
     *
     * @throws AlreadyRunningException when the file names a live Warren process
     * @throws IOException when the directory cannot be created or written
     */
    public static PidFile write(Path path) throws IOException {
        long self = ProcessHandle.current().pid();
        Optional<Long> existing = read(path);
        if (existing.isPresent() && existing.get() != self && isLiveWarren(existing.get())) {
            throw new AlreadyRunningException("a Warren node (pid " + existing.get() + ") is already running with "
                    + "data directory " + path.getParent() + " (" + path + ")");
        }
        Files.createDirectories(path.getParent());
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(temporary, self + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new PidFile(path, self);
    }

    /** The pid in the file, if there is a file with a number in it. */
    public static Optional<Long> read(Path path) {
        try {
            return Optional.of(Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes the file if it still names this process: a newer node may have taken the directory over. */
    public void delete() {
        if (read(path).filter(p -> p == pid).isPresent()) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // exiting anyway; a stale file is replaced at the next start
            }
        }
    }

    public Path path() {
        return path;
    }

    /**
     * A recycled pid belongs to some other program: only a live process running Warren's main counts.
     * ProcessHandle.Info cuts the command line at 4 KiB, well inside a node's classpath, so read /proc
     * where there is one; where nothing tells, a live java process is taken to be a node.
     */
    private static boolean isLiveWarren(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return false;
        }
        Path procCmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        try {
            if (Files.isReadable(procCmdline)) {
                return Files.readString(procCmdline, StandardCharsets.ISO_8859_1).contains(Main.class.getName());
            }
        } catch (IOException e) {
            // the process exited meanwhile, or /proc hides it: fall through to what ProcessHandle knows
        }
        ProcessHandle.Info info = process.get().info();
        if (info.commandLine().filter(c -> c.contains(Main.class.getName())).isPresent()) {
            return true;
        }
        return info.command().map(c -> c.endsWith("java")).orElse(true);
    }
}
