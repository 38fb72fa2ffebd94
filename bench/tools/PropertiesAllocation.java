// Allocation per operation on the property paths, before (decode at publish, re-encode per delivery and per
// journal/remote write) and after (bytes kept). No JMH: one thread, ThreadMXBean allocated-bytes counter, 2M ops.
// Timings are printed too but mean little on a shared host. Run from the repository root after a build:
//   CP=src/amqp/target/classes:$(ls ~/.m2/repository/org/apache/pekko/pekko-actor_2.13/1.2.1/*.jar):$(ls ~/.m2/repository/org/scala-lang/scala-library/2.13.16/*.jar)
//   javac -cp "$CP" -d /tmp/pa bench/tools/PropertiesAllocation.java && java -cp "/tmp/pa:$CP" PropertiesAllocation
import io.warren.amqp.*;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.BasicDeliver;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.apache.pekko.util.ByteString;

public class PropertiesAllocation {
    static com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    static long sink;
    interface Op { Object run(); }
    static void measure(String name, Op op) {
        for (int i = 0; i < 300_000; i++) sink += op.run().hashCode() & 1;
        int n = 2_000_000;
        long tid = Thread.currentThread().getId();
        long a0 = mx.getThreadAllocatedBytes(tid), t0 = System.nanoTime();
        for (int i = 0; i < n; i++) sink += op.run().hashCode() & 1;
        long t1 = System.nanoTime(), a1 = mx.getThreadAllocatedBytes(tid);
        System.out.printf("%-48s %6.1f B/op %7.1f ns/op%n", name, (a1 - a0) / (double) n, (t1 - t0) / (double) n);
    }
    public static void main(String[] args) {
        BasicProperties withHeaders = new BasicProperties("application/json", null, Map.of("x-trace", "abc-123", "n", 1),
                2, null, "corr-42", null, null, "msg-42", 1_700_000_000L, null, null, "orders", null);
        BasicProperties plain = BasicProperties.EMPTY.withDeliveryMode(2);
        ByteString body = ByteString.fromArray(new byte[16]);
        BasicDeliver deliver = new BasicDeliver("amq.ctag-1", 1, false, "", "q");
        for (BasicProperties p : new BasicProperties[] {plain, withHeaders}) {
            String tag = p == plain ? "[delivery-mode only]" : "[7 props + 2 headers]";
            ByteString bytes = ContentHeaders.encode(p);
            EncodedProperties enc = EncodedProperties.parse(WireReader.of(bytes), bytes);
            measure("publish: decode all (before) " + tag, () -> ContentHeaders.read(WireReader.of(bytes)));
            measure("publish: keep + walk (after) " + tag, () -> EncodedProperties.parse(WireReader.of(bytes), bytes));
            measure("delivery: re-encode (before) " + tag, () -> FrameEncoder.content(1, deliver, p, body, 131072));
            measure("delivery: copy bytes (after) " + tag, () -> FrameEncoder.content(1, deliver, enc, body, 131072));
            measure("journal/remote: encode (before) " + tag, () -> ContentHeaders.encode(p));
        }
    }
}
