package io.warren.server.management;

import io.warren.broker.ProcessMemory;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A node's resource figures for /api/nodes, in RabbitMQ's terms: memory used (the process's resident set, the
 * figure the memory alarm watches; the JVM's heap and non-heap in use where /proc is not readable) and its limit,
 * file descriptors open and allowed, free disk space where the data directory lives. -1 where the platform does not
 * tell.
 */
public record NodeResources(long memUsed, long memLimit, long fdUsed, long fdTotal, long diskFree)
        implements ManagementSerializable {

    public static final NodeResources UNKNOWN = new NodeResources(-1, -1, -1, -1, -1);

    public static NodeResources measure(Path dataDir) {
        long mem = ProcessMemory.residentBytes().orElseGet(() -> {
            var memory = ManagementFactory.getMemoryMXBean();
            return memory.getHeapMemoryUsage().getUsed() + memory.getNonHeapMemoryUsage().getUsed();
        });
        long limit = ProcessMemory.limitBytes().orElse(-1);
        long fdUsed = -1;
        long fdTotal = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            fdUsed = unix.getOpenFileDescriptorCount();
            fdTotal = unix.getMaxFileDescriptorCount();
        }
        long disk = -1;
        try {
            Path existing = dataDir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) existing = existing.getParent();
            if (existing != null) disk = Files.getFileStore(existing).getUsableSpace();
        } catch (java.io.IOException | SecurityException e) {
            disk = -1;
        }
        return new NodeResources(mem, limit, fdUsed, fdTotal, disk);
    }
}
