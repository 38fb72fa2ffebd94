package io.warren.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions about how the broker closes channels and connections, and unique resource names. */
public final class Amqp {
    private static final long CLOSE_WAIT_SECONDS = 10;

    private Amqp() {}

    /** An AMQP operation that may throw, as the Java client's methods do. */
    @FunctionalInterface
    public interface Operation {
        void run() throws Exception;
    }

    /** A name no other test (or earlier run against the same external broker) uses. */
    public static String unique(String prefix) {
        return "it." + prefix + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Runs {@code operation} and asserts that the broker then closes {@code channel} (channel.close, not
     * connection.close) with {@code replyCode}. Works for synchronous methods (which throw) and for
     * asynchronous ones such as basic.publish or basic.ack (where the close arrives later).
     */
    public static ShutdownSignalException assertChannelClosedBy(int replyCode, Channel channel, Operation operation) {
        ShutdownSignalException signal = closeCausedBy(channel, operation);
        assertFalse(signal.isHardError(), () -> "expected channel.close " + replyCode + " but the connection closed: " + describe(signal));
        assertEquals(replyCode, replyCode(signal), () -> "unexpected close: " + describe(signal));
        return signal;
    }

    /** Like {@link #assertChannelClosedBy} but the broker must close the whole connection (connection.close). */
    public static ShutdownSignalException assertConnectionClosedBy(int replyCode, Channel channel, Operation operation) {
        ShutdownSignalException signal = closeCausedBy(channel, operation);
        assertTrue(signal.isHardError(), () -> "expected connection.close " + replyCode + " but only the channel closed: " + describe(signal));
        assertEquals(replyCode, replyCode(signal), () -> "unexpected close: " + describe(signal));
        assertFalse(channel.getConnection().isOpen(), "connection should be closed");
        return signal;
    }

    public static int replyCode(ShutdownSignalException signal) {
        Method reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyCode();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyCode();
        }
        throw new AssertionError("shutdown without a close method from the broker: " + signal, signal);
    }

    public static String replyText(ShutdownSignalException signal) {
        Method reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        return String.valueOf(reason);
    }

    /** Proves a connection still works: a round trip through a fresh channel and a server-named queue. */
    public static void assertUsable(Connection connection) throws Exception {
        assertTrue(connection.isOpen(), "connection should still be open");
        try (Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare().getQueue();
            channel.basicPublish("", queue, null, "ping".getBytes());
            var response = awaitGet(channel, queue);
            assertEquals("ping", new String(response.getBody()));
            channel.queueDelete(queue);
        }
    }

    /** basic.get until a message arrives (routing may be asynchronous in a broker), at most 5 s. */
    public static com.rabbitmq.client.GetResponse awaitGet(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            var response = channel.basicGet(queue, true);
            if (response != null) {
                return response;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no message arrived in " + queue + " within 5 s");
    }

    /** Polls queue.declare-passive until the queue holds {@code expected} ready messages, at most 5 s. */
    public static void awaitMessageCount(Channel channel, String queue, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int count = -1;
        while (System.nanoTime() < deadline) {
            count = channel.queueDeclarePassive(queue).getMessageCount();
            if (count == expected) {
                return;
            }
            Thread.sleep(20);
        }
        fail("queue " + queue + " holds " + count + " ready messages, expected " + expected);
    }

    private static ShutdownSignalException closeCausedBy(Channel channel, Operation operation) {
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        channel.addShutdownListener(closed::complete);
        try {
            operation.run();
        } catch (IOException | ShutdownSignalException expected) {
            // The close itself is awaited below; sync methods report it by throwing.
        } catch (Exception e) {
            throw new AssertionError("operation failed without closing the channel", e);
        }
        try {
            return closed.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the broker did not close the channel within " + CLOSE_WAIT_SECONDS + " s");
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private static String describe(ShutdownSignalException signal) {
        return (signal.isHardError() ? "connection" : "channel") + " closed: " + signal.getReason();
    }
}
