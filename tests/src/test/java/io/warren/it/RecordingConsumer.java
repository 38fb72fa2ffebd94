package io.warren.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/** A consumer that queues its deliveries for the test thread and records a broker-sent basic.cancel. */
public final class RecordingConsumer extends DefaultConsumer {
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> cancelledByBroker = new CompletableFuture<>();
    private final CompletableFuture<String> consumeOk = new CompletableFuture<>();

    public RecordingConsumer(Channel channel) {
        super(channel);
    }

    @Override
    public void handleConsumeOk(String consumerTag) {
        super.handleConsumeOk(consumerTag);
        consumeOk.complete(consumerTag);
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        deliveries.add(new Delivery(envelope, properties, body));
    }

    @Override
    public void handleCancel(String consumerTag) {
        cancelledByBroker.complete(consumerTag);
    }

    public Delivery take(Duration timeout) throws InterruptedException {
        Delivery delivery = deliveries.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (delivery == null) {
            fail("no delivery within " + timeout.toMillis() + " ms");
        }
        return delivery;
    }

    public Delivery take() throws InterruptedException {
        return take(Duration.ofSeconds(5));
    }

    public List<Delivery> take(int count) throws InterruptedException {
        List<Delivery> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            result.add(take());
        }
        return result;
    }

    /** Asserts that nothing (more) is delivered within {@code quiet}. */
    public void assertNoDelivery(Duration quiet) throws InterruptedException {
        Delivery delivery = deliveries.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        assertNull(delivery, () -> "unexpected delivery: " + new String(delivery.getBody()));
    }

    public int pending() {
        return deliveries.size();
    }

    public CompletableFuture<String> cancelledByBroker() {
        return cancelledByBroker;
    }
}
