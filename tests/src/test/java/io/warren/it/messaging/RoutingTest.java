package io.warren.it.messaging;

import com.rabbitmq.client.AMQP;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectedTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoutingTest extends ConnectedTest {
    RoutingTest(BrokerUnderTest broker) {
        super(broker);
    }

    private String exchange(String type) throws Exception {
        return declareExchange("x." + type, type);
    }

    @Test
    void defaultExchangeRoutesByQueueName() throws Exception {
        String queue = declareQueue("q.default");
        publishConfirmed("", queue, "one");
        publishConfirmed("", queue + ".other", "lost");
        assertEquals(List.of("one"), drain(queue));
    }

    @Test
    void directRoutesOnExactKey() throws Exception {
        String exchange = exchange("direct");
        String a = declareQueue("q.a");
        String b = declareQueue("q.b");
        channel.queueBind(a, exchange, "alpha");
        channel.queueBind(b, exchange, "beta");
        channel.queueBind(b, exchange, "alpha");
        publishConfirmed(exchange, "alpha", "1");
        publishConfirmed(exchange, "beta", "2");
        publishConfirmed(exchange, "gamma", "3");
        assertEquals(List.of("1"), drain(a));
        assertEquals(List.of("1", "2"), drain(b));
    }

    @Test
    void fanoutIgnoresTheKey() throws Exception {
        String exchange = exchange("fanout");
        String a = declareQueue("q.a");
        String b = declareQueue("q.b");
        channel.queueBind(a, exchange, "");
        channel.queueBind(b, exchange, "whatever");
        publishConfirmed(exchange, "any.key", "m");
        assertEquals(List.of("m"), drain(a));
        assertEquals(List.of("m"), drain(b));
    }

    @Test
    void topicMatchesStarAndHash() throws Exception {
        String exchange = exchange("topic");
        Map<String, String> queueByPattern = Map.of(
                "*.orange.*", declareQueue("q.orange"),
                "*.*.rabbit", declareQueue("q.rabbit"),
                "lazy.#", declareQueue("q.lazy"),
                "#", declareQueue("q.all"),
                "a.#.z", declareQueue("q.az"));
        for (var entry : queueByPattern.entrySet()) {
            channel.queueBind(entry.getValue(), exchange, entry.getKey());
        }
        for (String key : List.of("quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox",
                "lazy.brown.fox", "lazy", "quick.brown.fox", "orange", "a.z", "a.b.c.z", "a.b.c", "")) {
            publishConfirmed(exchange, key, key);
        }
        assertEquals(List.of("quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox"),
                drain(queueByPattern.get("*.orange.*")));
        assertEquals(List.of("quick.orange.rabbit"), drain(queueByPattern.get("*.*.rabbit")));
        assertEquals(List.of("lazy.orange.elephant", "lazy.brown.fox", "lazy"), drain(queueByPattern.get("lazy.#")));
        assertEquals(11, drain(queueByPattern.get("#")).size());
        assertEquals(List.of("a.z", "a.b.c.z"), drain(queueByPattern.get("a.#.z")));
    }

    @Test
    void headersMatchAllOrAny() throws Exception {
        String exchange = exchange("headers");
        String all = declareQueue("q.all");
        String any = declareQueue("q.any");
        channel.queueBind(all, exchange, "", Map.of("x-match", "all", "format", "pdf", "type", "report"));
        channel.queueBind(any, exchange, "", Map.of("x-match", "any", "format", "pdf", "type", "report"));
        publish(exchange, "both", Map.of("format", "pdf", "type", "report", "extra", 1));
        publish(exchange, "one", Map.of("format", "pdf", "type", "log"));
        publish(exchange, "none", Map.of("format", "zip"));
        publish(exchange, "no-headers", null);
        assertEquals(List.of("both"), drain(all));
        assertEquals(List.of("both", "one"), drain(any));
    }

    private void publish(String exchange, String body, Map<String, Object> headers) throws Exception {
        publishConfirmed(exchange, "", new AMQP.BasicProperties.Builder().headers(headers).build(), body);
    }

    @Test
    void exchangeToExchangeBindingsRouteOnceEvenInALoop() throws Exception {
        String first = exchange("direct");
        String second = exchange("direct");
        channel.exchangeBind(second, first, "k");
        channel.exchangeBind(first, second, "k");
        String queue = declareQueue("q.loop");
        channel.queueBind(queue, second, "k");
        channel.queueBind(queue, first, "k");
        publishConfirmed(first, "k", "once");
        assertEquals(List.of("once"), drain(queue));

        channel.exchangeUnbind(second, first, "k");
        channel.queueUnbind(queue, first, "k");
        publishConfirmed(first, "k", "gone");
        assertEquals(List.of(), drain(queue));
    }

    @Test
    void fanoutIntoTopicThroughAnExchangeBinding() throws Exception {
        String source = exchange("fanout");
        String topic = exchange("topic");
        channel.exchangeBind(topic, source, "");
        String queue = declareQueue("q.e2e");
        channel.queueBind(queue, topic, "logs.*");
        publishConfirmed(source, "logs.error", "hit");
        publishConfirmed(source, "metrics.cpu", "miss");
        assertEquals(List.of("hit"), drain(queue));
    }

    @Test
    void alternateExchangeTakesUnroutableMessages() throws Exception {
        String alternate = exchange("fanout");
        String leftovers = declareQueue("q.leftovers");
        channel.queueBind(leftovers, alternate, "");
        String main = Amqp.unique("x.main");
        channel.exchangeDeclare(main, "direct", false, false, Map.of("alternate-exchange", alternate));
        deleteAfterTest(main);
        String routed = declareQueue("q.routed");
        channel.queueBind(routed, main, "known");
        publishConfirmed(main, "known", "a");
        publishConfirmed(main, "unknown", "b");
        assertEquals(List.of("a"), drain(routed));
        assertEquals(List.of("b"), drain(leftovers));
    }

    @Test
    void unbindStopsRouting() throws Exception {
        String exchange = exchange("direct");
        String queue = declareQueue("q.unbind");
        channel.queueBind(queue, exchange, "k");
        channel.queueBind(queue, exchange, "k"); // a duplicate binding is one binding
        publishConfirmed(exchange, "k", "before");
        channel.queueUnbind(queue, exchange, "k");
        publishConfirmed(exchange, "k", "after");
        assertEquals(List.of("before"), drain(queue));
        channel.queueUnbind(queue, exchange, "never-bound"); // unbinding what is not there is fine
    }

    /**
     * RabbitMQ Routing.mRDQRouting (spec): queue.bind with an empty queue name binds the channel's most recently
     * declared queue, and with an empty routing key as well the key is that queue's name.
     */
    @Test
    void emptyQueueNameInBindMeansTheLastDeclaredQueue() throws Exception {
        String exchange = exchange("direct");
        String first = declareQueue("q.mrdq1");
        channel.queueBind(first, exchange, "baz");
        channel.queueBind(first, exchange, "");
        String second = declareQueue("q.mrdq2");
        channel.queueBind("", exchange, "baz");
        channel.queueBind("", exchange, "");
        for (String key : new String[] {"", first, second, "baz"}) publishConfirmed(exchange, key, key.isEmpty() ? "empty" : key);
        assertEquals(java.util.List.of("empty", "baz"), drain(first));
        assertEquals(java.util.List.of(second, "baz"), drain(second));
    }
}
