package io.warren.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The memory the whole process uses (resident set: heap, direct buffers, metaspace, thread stacks, code) and the
 * limit it must stay under: the container's cgroup limit (v2 memory.max, v1 memory.limit_in_bytes) if there is
 * one, else the machine's RAM. Linux only; elsewhere both are unknown and only the heap is watched.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final List<Path> CGROUP_LIMITS = List.of(
            Path.of("/sys/fs/cgroup/memory.max"), Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
    /** cgroup v1 reports "no limit" as a huge number rather than "max". */
    private static final long UNLIMITED_ABOVE = 1L << 60;

    private ProcessMemory() {}

    /** VmRSS of this process in bytes, empty where /proc is not available. */
    public static OptionalLong residentBytes() {
        return kilobytesField(STATUS, "VmRSS:");
    }

    /** The lower of the cgroup limit and the machine's RAM, empty if neither can be read. */
    public static OptionalLong limitBytes() {
        long limit = Long.MAX_VALUE;
        for (Path p : CGROUP_LIMITS) {
            try {
                String text = Files.readString(p).trim();
                if (!text.equals("max")) {
                    long bytes = Long.parseLong(text);
                    if (bytes > 0 && bytes < UNLIMITED_ABOVE) limit = Math.min(limit, bytes);
                }
            } catch (IOException | NumberFormatException | SecurityException e) {
                // not this cgroup version, or not Linux
            }
        }
        OptionalLong ram = kilobytesField(Path.of("/proc/meminfo"), "MemTotal:");
        if (ram.isPresent()) limit = Math.min(limit, ram.getAsLong());
        return limit == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(limit);
    }

    private static OptionalLong kilobytesField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // no /proc
        }
        return OptionalLong.empty();
    }
}
