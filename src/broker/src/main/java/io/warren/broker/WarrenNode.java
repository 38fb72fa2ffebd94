package io.warren.broker;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** One Warren node: the actor system, its cluster membership and the AMQP listener. */
public final class WarrenNode {
    public static WarrenNode start(Config config) {
        throw new UnsupportedOperationException("broker not built yet");
    }

    public int amqpPort() { throw new UnsupportedOperationException(); }

    public void stop(Duration timeout) { throw new UnsupportedOperationException(); }

    public CompletionStage<Done> whenTerminated() { throw new UnsupportedOperationException(); }
}
