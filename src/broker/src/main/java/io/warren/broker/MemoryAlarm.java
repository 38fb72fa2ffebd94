package io.warren.broker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ's memory alarm for the JVM. Raised while either
 * <ul>
 * <li>the heap that survives garbage collection is above {@code heapWatermark} of the maximum heap, or the old
 *     generation alone is (it only grows by promotion, so it shows a flood filling queues before a full GC does), or
 * <li>the process's resident memory is above {@code processWatermark} of its limit (the container's cgroup limit,
 *     else the machine's RAM): heap, direct buffers, metaspace and stacks together, which is what the kernel's or
 *     Kubernetes' OOM killer counts.
 * </ul>
 * Publishing connections are then blocked (connection.blocked) and not read from, so overload turns into
 * back-pressure on publishers instead of an out-of-memory crash.
 */
public final class MemoryAlarm {
    private static final Logger log = LoggerFactory.getLogger(MemoryAlarm.class);
    private static final long CHECK_EVERY_NANOS = 50_000_000L;
    private static final long GC_NUDGE_EVERY_NANOS = 10_000_000_000L;

    private final double heapWatermark;
    private final double processWatermark;
    private final List<MemoryPoolMXBean> pools;
    private final OptionalLong limitBytes;
    private volatile long checkedAt;
    private volatile boolean raised;
    private volatile long collectedAt;

    public MemoryAlarm(double heapWatermark) {
        this(heapWatermark, 0);
    }

    /** @param processWatermark fraction of the memory limit the process may use; 0 turns that check off */
    public MemoryAlarm(double heapWatermark, double processWatermark) {
        this.heapWatermark = heapWatermark;
        this.processWatermark = processWatermark;
        this.pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
                .toList();
        this.limitBytes = processWatermark > 0 ? ProcessMemory.limitBytes() : OptionalLong.empty();
        limitBytes.ifPresent(limit -> log.info("Memory alarm: heap above {}% of {} MiB, or process RSS above {}% of {} MiB",
                Math.round(heapWatermark * 100), Runtime.getRuntime().maxMemory() >> 20,
                Math.round(processWatermark * 100), limit >> 20));
    }

    /** Whether publishers should be blocked; measured at most every 50 ms, since this runs on every read. */
    public boolean raised() {
        long now = System.nanoTime();
        if (now - checkedAt > CHECK_EVERY_NANOS) {
            checkedAt = now;
            boolean was = raised;
            raised = measure();
            if (raised) collectSometimes(now);
            if (raised != was) {
                log.warn(raised ? "Memory alarm raised: publishers are blocked until memory is freed ({})"
                        : "Memory alarm cleared ({})", describe());
            }
        }
        return raised;
    }

    /**
     * While the alarm is up, ask for a collection every few seconds: blocked publishers allocate nothing, so an idle
     * node could otherwise wait minutes for the next GC to notice that deleted or consumed messages are gone.
     */
    private void collectSometimes(long now) {
        if (now - collectedAt < GC_NUDGE_EVERY_NANOS) return;
        collectedAt = now;
        Thread nudge = new Thread(System::gc, "memory-alarm-gc");
        nudge.setDaemon(true);
        nudge.start();
    }

    private boolean measure() {
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage after = pool.getCollectionUsage();
            if (after != null && after.getMax() > 0 && after.getUsed() > heapWatermark * after.getMax()) return true;
            if (isOldGeneration(pool)) {
                MemoryUsage now = pool.getUsage();
                if (now.getMax() > 0 && now.getUsed() > heapWatermark * now.getMax()) return true;
            }
        }
        if (limitBytes.isPresent()) {
            OptionalLong rss = ProcessMemory.residentBytes();
            return rss.isPresent() && rss.getAsLong() > processWatermark * limitBytes.getAsLong();
        }
        return false;
    }

    private static boolean isOldGeneration(MemoryPoolMXBean pool) {
        String name = pool.getName();
        return name.contains("Old Gen") || name.contains("Tenured");
    }

    private String describe() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return "heap " + (heap.getUsed() >> 20) + " of " + (heap.getMax() >> 20) + " MiB, RSS "
                + ProcessMemory.residentBytes().orElse(-1) / (1 << 20) + " MiB of a limit of "
                + limitBytes.orElse(-1) / (1 << 20) + " MiB";
    }
}
