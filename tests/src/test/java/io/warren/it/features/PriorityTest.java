package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import io.warren.it.BrokerUnderTest;
import io.warren.it.RecordingConsumer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** x-max-priority: priority queues. */
class PriorityTest extends FeatureTest {
    PriorityTest(BrokerUnderTest broker) {
        super(broker);
    }

    private void publishWithPriority(String queue, Integer priority, String body) throws Exception {
        publishConfirmed("", queue, new AMQP.BasicProperties.Builder().priority(priority).build(), body);
    }

    @Test
    void higherPriorityIsDeliveredFirstFifoWithinAPriority() throws Exception {
        String queue = declareQueue("prio", "x-max-priority", 10);
        publishWithPriority(queue, 1, "p1-a");
        publishWithPriority(queue, 5, "p5-a");
        publishWithPriority(queue, null, "none");
        publishWithPriority(queue, 9, "p9");
        publishWithPriority(queue, 5, "p5-b");
        publishWithPriority(queue, 0, "p0");
        assertEquals(List.of("p9", "p5-a", "p5-b", "p1-a", "none", "p0"), drain(queue));
    }

    @Test
    void prioritiesAboveTheMaximumCountAsTheMaximum() throws Exception {
        String queue = declareQueue("prio", "x-max-priority", 3);
        publishWithPriority(queue, 3, "at-max");
        publishWithPriority(queue, 200, "above-max");
        publishWithPriority(queue, 2, "below");
        assertEquals(List.of("at-max", "above-max", "below"), drain(queue));
    }

    @Test
    void aQueueWithoutMaxPriorityIgnoresPriorities() throws Exception {
        String queue = declareQueue("fifo");
        publishWithPriority(queue, 1, "first");
        publishWithPriority(queue, 9, "second");
        assertEquals(List.of("first", "second"), drain(queue));
    }

    @Test
    void aConsumerGetsTheBacklogInPriorityOrder() throws Exception {
        String queue = declareQueue("prio", "x-max-priority", 5);
        publishWithPriority(queue, 1, "low");
        publishWithPriority(queue, 4, "high");
        publishWithPriority(queue, 2, "mid");
        RecordingConsumer consumer = new RecordingConsumer(channel);
        channel.basicQos(1);
        channel.basicConsume(queue, false, consumer);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            var d = consumer.take();
            order.append(text(d.getBody())).append(' ');
            channel.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }
        assertEquals("high mid low ", order.toString());
    }

    @Test
    void requeuedMessagesKeepTheirPriorityPlace() throws Exception {
        String queue = declareQueue("prio", "x-max-priority", 5);
        publishWithPriority(queue, 5, "high");
        publishWithPriority(queue, 1, "low");
        var high = awaitUnacked(queue);
        assertEquals("high", text(high.getBody()));
        channel.basicNack(high.getEnvelope().getDeliveryTag(), false, true);
        var again = awaitGet(queue);
        assertEquals("high", text(again.getBody()));
        assertEquals(true, again.getEnvelope().isRedeliver());
        assertEquals(List.of("low"), drain(queue));
    }
}
