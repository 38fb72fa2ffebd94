package io.warren.broker.alarm;

import com.typesafe.config.Config;
import io.warren.broker.MemoryAlarm;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * This node's resource alarms (RabbitMQ's "memory" and "disk" alarms; here "memory" and "journal"). While any is
 * raised, publishing connections get connection.blocked and are not read from. One per actor system (an extension),
 * so that the management server and its readiness check find the same alarms as the broker.
 */
public final class ResourceAlarms implements Extension {

    /** The extension id; {@code ResourceAlarms.get(system)}. */
    public static final Id ID = new Id();

    public static final class Id extends AbstractExtensionId<ResourceAlarms> implements ExtensionIdProvider {
        @Override
        public ResourceAlarms createExtension(ExtendedActorSystem system) {
            return new ResourceAlarms(system.settings().config().getConfig("warren"));
        }

        @Override
        public Id lookup() {
            return ID;
        }
    }

    private final MemoryAlarm memory;
    private final JournalAlarm journal;

    ResourceAlarms(Config warren) {
        this.memory = new MemoryAlarm(warren.getDouble("memory-high-watermark"),
                warren.getDouble("process-memory-high-watermark"));
        this.journal = new JournalAlarm(warren.getDuration("persistence.journal-alarm-after"),
                warren.getDuration("persistence.confirm-timeout"));
    }

    public static ResourceAlarms get(ActorSystem system) {
        return ID.get(system);
    }

    public static ResourceAlarms get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        return ID.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
    }

    public MemoryAlarm memory() {
        return memory;
    }

    public JournalAlarm journal() {
        return journal;
    }

    /** Whether publishers are to be blocked now (cheap: runs after every read of a publishing connection). */
    public boolean publishersBlocked() {
        return journal.raised() || memory.raised();
    }

    /** The reason connection.blocked gives, as RabbitMQ's "low on memory" / "low on disk". */
    public String blockReason() {
        return journal.raised() ? "journal database unavailable" : "low on memory";
    }

    /** The resources in alarm, by RabbitMQ's names where there is one ("memory"), else "journal". */
    public List<String> raised() {
        List<String> out = new ArrayList<>(2);
        if (memory.raised()) out.add("memory");
        if (journal.raised()) out.add("journal");
        return out;
    }
}
