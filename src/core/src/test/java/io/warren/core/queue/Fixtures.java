package io.warren.core.queue;

import io.warren.amqp.BasicProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/** Builders shared by the queue tests. */
final class Fixtures {
    private Fixtures() {}

    static final BasicProperties PERSISTENT = BasicProperties.EMPTY.withDeliveryMode(2);

    static Message msg(String id) {
        return new Message(id, "ex", "rk", BasicProperties.EMPTY, ByteString.fromString("body-" + id));
    }

    static Message msg(String id, BasicProperties props) {
        return new Message(id, "ex", "rk", props, ByteString.fromString("body-" + id));
    }

    static Message persistent(String id) {
        return msg(id, PERSISTENT);
    }

    static Message sized(String id, int bytes) {
        return new Message(id, "ex", "rk", BasicProperties.EMPTY, ByteString.fromArray(new byte[bytes]));
    }

    static Message withPriority(String id, int priority) {
        return msg(id, new BasicProperties(null, null, null, null, priority, null, null, null, null, null, null,
                null, null, null));
    }

    static Message withExpiration(String id, String expiration) {
        return msg(id, BasicProperties.EMPTY.withExpiration(expiration));
    }

    static QueueDefinition def(boolean durable, Map<String, Object> args) {
        return new QueueDefinition("/", "q", durable, false, false, args);
    }

    static QueueState queue(Map<String, Object> args) {
        QueueDefinition d = def(false, args);
        return new QueueState(d, QueueArguments.parse(d), 0);
    }

    static QueueState durableQueue(Map<String, Object> args) {
        QueueDefinition d = def(true, args);
        return new QueueState(d, QueueArguments.parse(d), 0);
    }

    static String bodyText(Message m) {
        return m.body().decodeString(StandardCharsets.UTF_8);
    }

    static List<QueueEffect.Deliver> deliveries(List<QueueEffect> effects) {
        List<QueueEffect.Deliver> out = new ArrayList<>();
        for (QueueEffect e : effects) if (e instanceof QueueEffect.Deliver d) out.add(d);
        return out;
    }

    static List<QueueEffect.DeadLetter> deadLetters(List<QueueEffect> effects) {
        List<QueueEffect.DeadLetter> out = new ArrayList<>();
        for (QueueEffect e : effects) if (e instanceof QueueEffect.DeadLetter d) out.add(d);
        return out;
    }

    static List<QueueEvent> journal(List<QueueEffect> effects) {
        List<QueueEvent> out = new ArrayList<>();
        for (QueueEffect e : effects) if (e instanceof QueueEffect.Journal j) out.add(j.event());
        return out;
    }

    /** Ids of delivered messages, in delivery order. */
    static List<String> ids(List<QueueEffect.Deliver> deliveries) {
        List<String> out = new ArrayList<>();
        for (QueueEffect.Deliver d : deliveries) out.add(d.message().id());
        return out;
    }

    static long[] tags(List<QueueEffect.Deliver> deliveries) {
        return deliveries.stream().mapToLong(QueueEffect.Deliver::deliveryId).toArray();
    }
}
