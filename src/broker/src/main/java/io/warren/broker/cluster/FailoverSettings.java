package io.warren.broker.cluster;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/**
 * warren.cluster.failover.*, plus the journal session tag of this incarnation (empty with the embedded H2 journal,
 * which no other node shares and so needs no fencing).
 */
public record FailoverSettings(Duration probeInterval, Duration probeTimeout, int refusalsToDown,
                               Duration minorityExitAfter, boolean exitWhenDowned,
                               Optional<JournalFence.Target> fenceTarget, Optional<Duration> stallLimit,
                               Duration stallCheckTimeout, Duration crashRemovalMargin) {

    /** The cluster role that carries a node's journal session tag, so that whoever downs it knows what to end. */
    public static final String SESSION_ROLE_PREFIX = "journal-session:";

    public static FailoverSettings from(Config config) {
        Config f = config.getConfig("warren.cluster.failover");
        Optional<JournalFence.Target> target = config.getString("warren.persistence.backend").equals("postgres")
                ? Optional.of(JournalFence.Target.from(config.getConfig("pekko-persistence-jdbc.shared-databases.warren.db")))
                : Optional.empty();
        // The others' earliest downing decision about a silent node; only the resolver's keep-majority path has one.
        // A node that could not run for longer shuts its gate and asks a majority whether it is still a member.
        Optional<Duration> stall = config.hasPath("pekko.cluster.split-brain-resolver.stable-after")
                ? Optional.of(config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause")
                        .plus(config.getDuration("pekko.cluster.split-brain-resolver.stable-after")))
                : Optional.empty();
        // Earlier is safe (a check costs a round trip and holds writes for it), later is not: only lowered here.
        if (stall.isPresent() && !f.getString("stall-check-after").equals("auto")) {
            Duration earlier = f.getDuration("stall-check-after");
            if (earlier.compareTo(stall.get()) < 0) stall = Optional.of(earlier);
        }
        return new FailoverSettings(f.getDuration("probe-interval"), f.getDuration("probe-timeout"),
                f.getInt("refusals-to-down"), f.getDuration("minority-exit-after"), f.getBoolean("exit-when-downed"),
                target, stall, f.getDuration("stall-check-timeout"), f.getDuration("crash-removal-margin"));
    }
}
