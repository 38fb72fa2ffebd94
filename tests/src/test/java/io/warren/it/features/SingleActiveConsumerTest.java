package io.warren.it.features;

import com.rabbitmq.client.Channel;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** x-single-active-consumer: one consumer gets everything; the next in line takes over when it leaves. */
class SingleActiveConsumerTest extends FeatureTest {
    SingleActiveConsumerTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void onlyTheFirstConsumerReceives() throws Exception {
        String queue = declareQueue("sac", "x-single-active-consumer", true);
        RecordingConsumer first = new RecordingConsumer(channel);
        RecordingConsumer second = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, first);
        channel.basicConsume(queue, true, second);
        publishConfirmed("", queue, "1", "2", "3", "4");
        assertEquals("1234", bodies(first, 4));
        second.assertNoDelivery(Duration.ofMillis(200));
    }

    @Test
    void handoverWhenTheActiveConsumerCancels() throws Exception {
        String queue = declareQueue("sac", "x-single-active-consumer", true);
        RecordingConsumer first = new RecordingConsumer(channel);
        RecordingConsumer second = new RecordingConsumer(channel);
        String firstTag = channel.basicConsume(queue, true, first);
        channel.basicConsume(queue, true, second);
        publishConfirmed("", queue, "a");
        assertEquals("a", text(first.take().getBody()));
        channel.basicCancel(firstTag);
        publishConfirmed("", queue, "b", "c");
        assertEquals("bc", bodies(second, 2));
        first.assertNoDelivery(Duration.ofMillis(100));
    }

    @Test
    void handoverWhenTheActiveConsumersChannelClosesRedeliversItsUnacked() throws Exception {
        String queue = declareQueue("sac", "x-single-active-consumer", true);
        Channel activeChannel = otherConnection().createChannel();
        RecordingConsumer active = new RecordingConsumer(activeChannel);
        activeChannel.basicConsume(queue, false, active);
        RecordingConsumer standby = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, standby);

        publishConfirmed("", queue, "held", "next");
        assertEquals("heldnext", bodies(active, 2));
        standby.assertNoDelivery(Duration.ofMillis(200));
        activeChannel.close();

        var first = standby.take();
        var second = standby.take();
        assertEquals("held", text(first.getBody()));
        assertEquals("next", text(second.getBody()));
        assertEquals(true, first.getEnvelope().isRedeliver());
        channel.basicAck(second.getEnvelope().getDeliveryTag(), true);
    }

    @Test
    void handoverWhenTheActiveConsumersConnectionDies() throws Exception {
        String queue = declareQueue("sac", "x-single-active-consumer", true);
        var dying = otherConnection();
        Channel activeChannel = dying.createChannel();
        RecordingConsumer active = new RecordingConsumer(activeChannel);
        activeChannel.basicConsume(queue, true, active);
        RecordingConsumer standby = new RecordingConsumer(channel);
        channel.basicConsume(queue, true, standby);
        publishConfirmed("", queue, "x");
        assertEquals("x", text(active.take().getBody()));
        dying.abort();
        publishConfirmed("", queue, "y");
        assertEquals("y", text(standby.take().getBody()));
    }

    @Test
    void singleActiveConsumerWaitsForItsAcksBeforeAnyoneElseGetsMore() throws Exception {
        String queue = declareQueue("sac", "x-single-active-consumer", true);
        channel.basicQos(1);
        RecordingConsumer first = new RecordingConsumer(channel);
        RecordingConsumer second = new RecordingConsumer(channel);
        channel.basicConsume(queue, false, first);
        channel.basicConsume(queue, false, second);
        publishConfirmed("", queue, "1", "2");
        var one = first.take();
        // the active consumer has no credit left, still nobody else receives
        second.assertNoDelivery(Duration.ofMillis(300));
        channel.basicAck(one.getEnvelope().getDeliveryTag(), false);
        assertEquals("2", text(first.take().getBody()));
    }

    private static String bodies(RecordingConsumer consumer, int count) throws InterruptedException {
        StringBuilder sb = new StringBuilder();
        for (var d : consumer.take(count)) {
            sb.append(new String(d.getBody()));
        }
        return sb.toString();
    }
}
