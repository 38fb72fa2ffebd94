package io.warren.broker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * RabbitMQ's memory alarm for the JVM: raised while the heap that survives garbage collection is above the high
 * watermark (a fraction of the maximum heap). Publishing connections are then blocked (connection.blocked) and not
 * read from, so overload turns into back-pressure on publishers instead of an out-of-memory crash.
 */
public final class MemoryAlarm {
    private final double highWatermark;
    private final List<MemoryPoolMXBean> pools;
    private volatile long checkedAt;
    private volatile boolean raised;

    public MemoryAlarm(double highWatermark) {
        this.highWatermark = highWatermark;
        this.pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
                .toList();
    }

    /** Whether publishers should be blocked; measured at most every 100 ms, since this runs on every read. */
    public boolean raised() {
        long now = System.nanoTime();
        if (now - checkedAt > 100_000_000L) {
            checkedAt = now;
            raised = measure();
        }
        return raised;
    }

    private boolean measure() {
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage after = pool.getCollectionUsage();
            if (after != null && after.getMax() > 0 && after.getUsed() > highWatermark * after.getMax()) return true;
        }
        return false;
    }
}
