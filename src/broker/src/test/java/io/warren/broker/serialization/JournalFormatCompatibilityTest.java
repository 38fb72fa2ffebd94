package io.warren.broker.serialization;

import static io.warren.broker.serialization.DeepEquality.assertDeepEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.warren.amqp.BasicProperties;
import io.warren.broker.queue.QueueEntityEvent;
import io.warren.broker.queue.QueueEntitySnapshot;
import io.warren.broker.protocol.TopologyChange;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueEvent;
import io.warren.core.queue.QueueSnapshot;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Journal rows and snapshots written by Warren before the journal and remoting formats shared one codec
 * (src/test/resources/journal-format-v1, produced by the DataOutputStream-based JournalFormat of commit 530b865)
 * must still decode to the same records, and today's encoder must write exactly those bytes.
 */
class JournalFormatCompatibilityTest {

    private static final String DIR = "journal-format-v1";

    /** Names that exercise modified UTF-8 (NUL and a supplementary character) as DataOutputStream.writeUTF wrote them. */
    private static final String ODD = "ördérs \u0000 𝄞 ✓";

    static List<Object> records() {
        QueueDefinition odd = new QueueDefinition("v" + ODD, "q" + ODD, true, true, false,
                Map.of("x-queue-mode", "lazy"));
        Message oddMessage = new Message("id" + ODD, "ex" + ODD, "rk" + ODD,
                BasicProperties.EMPTY.withDeliveryMode(2), ByteString.fromString("body " + ODD));
        Message sliced = Samples.slicedMessage();
        List<Object> r = new ArrayList<>();
        r.add(new QueueEntityEvent.Created(Samples.queueDefinition()));
        r.add(new QueueEntityEvent.Created(odd));
        r.add(new QueueEntityEvent.Journal(new QueueEvent.Enqueued(17, Samples.fullMessage(), 1_700_000_000_123L)));
        r.add(new QueueEntityEvent.Journal(new QueueEvent.Enqueued(18, oddMessage, 1L)));
        r.add(new QueueEntityEvent.Journal(new QueueEvent.Removed(new long[] {17, 18, Long.MAX_VALUE})));
        r.add(new QueueEntityEvent.Batch(List.of(new QueueEvent.Enqueued(19, Samples.fullMessage(), 2L),
                new QueueEvent.Removed(new long[] {17}), new QueueEvent.Enqueued(20, sliced, 3L),
                new QueueEvent.Enqueued(21, Samples.emptyMessage(), 4L))));
        r.add(new QueueEntityEvent.Batch(List.of()));
        r.add(new QueueEntityEvent.Deleted());
        r.add(new QueueEntitySnapshot(Samples.queueDefinition(), new QueueSnapshot(20, List.of(
                new QueueSnapshot.Entry(17, Samples.fullMessage(), 5), new QueueSnapshot.Entry(19, oddMessage, 6)))));
        r.add(new QueueEntitySnapshot(odd, null));
        r.add(new QueueEntitySnapshot(null, null));
        r.addAll(Samples.topologyChanges());
        r.add(new TopologyChange.ExchangeDeclared(new ExchangeDefinition("x" + ODD, ExchangeType.TOPIC, false, true,
                false, Map.of())));
        r.add(new TopologyChange.Bound(Binding.toQueue("x" + ODD, "q" + ODD, "k" + ODD, Map.of("a", 1))));
        r.add(new TopologyChange.QueueDeleted("q" + ODD));
        return r;
    }

    private static String fileName(int i, String manifest) {
        return String.format("%02d-%s.bin", i, manifest);
    }

    @Test
    void bytesOfTheOldJournalFormatDecodeAndAreWrittenTheSameToday() throws IOException {
        List<Object> records = records();
        for (int i = 0; i < records.size(); i++) {
            Object record = records.get(i);
            String manifest = JournalFormat.manifest(record);
            assertNotNull(manifest, record.getClass().getName());
            byte[] old;
            try (InputStream in = getClass().getResourceAsStream("/" + DIR + "/" + fileName(i, manifest))) {
                assertNotNull(in, "missing " + DIR + "/" + fileName(i, manifest));
                old = in.readAllBytes();
            }
            assertDeepEquals(record, JournalFormat.fromBinary(old, manifest));
            assertArrayEquals(old, JournalFormat.toBinary(record), "bytes of " + fileName(i, manifest));
        }
        assertEquals(20, records.size());
    }
}
