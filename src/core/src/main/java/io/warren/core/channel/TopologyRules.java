package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.method.ExchangeBind;
import io.warren.amqp.method.ExchangeBindOk;
import io.warren.amqp.method.ExchangeDeclare;
import io.warren.amqp.method.ExchangeDeclareOk;
import io.warren.amqp.method.ExchangeDelete;
import io.warren.amqp.method.ExchangeDeleteOk;
import io.warren.amqp.method.ExchangeUnbind;
import io.warren.amqp.method.ExchangeUnbindOk;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.QueueBind;
import io.warren.amqp.method.QueueBindOk;
import io.warren.amqp.method.QueueDeclare;
import io.warren.amqp.method.QueueDeclareOk;
import io.warren.amqp.method.QueueDelete;
import io.warren.amqp.method.QueueDeleteOk;
import io.warren.amqp.method.QueuePurge;
import io.warren.amqp.method.QueuePurgeOk;
import io.warren.amqp.method.QueueUnbind;
import io.warren.amqp.method.QueueUnbindOk;
import io.warren.core.names.Names;
import io.warren.core.queue.QueueArguments;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.util.Map;
import java.util.Optional;

/**
 * The decisions of a channel's topology methods (exchange and queue declare, delete, bind, unbind, purge), as
 * RabbitMQ's rabbit_channel makes them: what is refused before anything is asked (default exchange, reserved names,
 * unknown types, bad arguments), what a declare of something that exists answers at once, and which ok answers a
 * method once the topology or the queue has done it (none with no-wait). The broker's {@code ChannelTopology} checks
 * permissions between these steps, asks the topology and the queues, and sends what these say.
 */
public final class TopologyRules {
    private TopologyRules() {}

    /** A method's arguments table; absent means empty. */
    public static Map<String, Object> arguments(Map<String, Object> a) {
        return a == null ? Map.of() : a;
    }

    // ---------------------------------------------------------------- exchanges

    /** exchange.declare and exchange.delete may not name the default exchange (403). */
    public static void checkNotDefault(String exchange) {
        if (exchange.isEmpty()) throw Names.defaultExchangeForbidden();
    }

    /** A passive exchange.declare: declare-ok (null with no-wait) when the exchange exists, else 404. */
    public static Method passiveExchangeDeclare(ExchangeDeclare d, boolean exists, String vhost) {
        if (!exists) throw Names.noExchange(d.exchange(), vhost);
        return d.noWait() ? null : new ExchangeDeclareOk();
    }

    /** The type an exchange.declare asks for; an unknown one is 503, a connection error (as RabbitMQ). */
    public static ExchangeType exchangeType(ExchangeDeclare d) {
        return ExchangeType.parse(d.type()).orElseThrow(() -> {
            AmqpException e = ExchangeType.unknownType(d.type());
            return new AmqpException(e.replyCode(), e.replyText(), d.classId(), d.methodId(), true);
        });
    }

    /** The exchange an exchange.declare defines, its arguments checked (406 for a bad alternate-exchange, say). */
    public static ExchangeDefinition exchangeDefinition(ExchangeDeclare d, ExchangeType type, String vhost) {
        Map<String, Object> args = arguments(d.arguments());
        ExchangeDefinition.validateArguments(args, d.exchange(), vhost);
        return new ExchangeDefinition(d.exchange(), type, d.durable(), d.autoDelete(), d.internal(), args);
    }

    /**
     * Whether an exchange.declare is answered without changing the topology: the exchange exists and is equivalent
     * (406 when it is not). A new exchange must not take a reserved name ({@code amq.}: 403).
     */
    public static boolean exchangeExists(ExchangeDefinition requested, Optional<ExchangeDefinition> existing, String vhost) {
        if (existing.isPresent()) {
            existing.get().checkEquivalent(requested, vhost);
            return true;
        }
        if (Names.isReserved(requested.name())) throw Names.reservedExchangeName(requested.name());
        return false;
    }

    /** exchange.delete of the default exchange or of a system one ({@code amq.}) is 403. */
    public static void checkExchangeDelete(String exchange, String vhost) {
        checkNotDefault(exchange);
        if (Names.isReserved(exchange)) throw Names.systemExchangeDeletion(exchange, vhost);
    }

    /** The binding an exchange.bind/unbind names; neither end may be the default exchange (403). */
    public static Binding exchangeBinding(String destination, String source, String key, Map<String, Object> arguments) {
        if (destination.isEmpty() || source.isEmpty()) throw Names.defaultExchangeForbidden();
        return new Binding(source, Destination.exchange(destination), key, arguments(arguments));
    }

    // ---------------------------------------------------------------- queues

    /** The binding a queue.bind/unbind names; nothing binds to or from the default exchange (403). */
    public static Binding queueBinding(String queue, String exchange, String key, Map<String, Object> arguments) {
        if (exchange.isEmpty()) throw Names.defaultExchangeForbidden();
        return new Binding(exchange, Destination.queue(queue), key, arguments(arguments));
    }

    /** The queue a queue.declare defines; a non-passive declare's arguments are checked (406/precondition). */
    public static QueueDefinition queueDefinition(QueueDeclare d, String queue, String vhost) {
        QueueDefinition def = new QueueDefinition(vhost, queue, d.durable(), d.exclusive(), d.autoDelete(), arguments(d.arguments()));
        if (!d.passive()) QueueArguments.parse(def);
        return def;
    }

    /** A non-passive declare of an exclusive queue makes this connection its owner (deleted when it closes). */
    public static boolean takesOwnership(QueueDeclare d) {
        return d.exclusive() && !d.passive();
    }

    /** queue.declare-ok with the counts the queue answered; null with no-wait. */
    public static Method queueDeclareOk(QueueDeclare d, String queue, int messages, int consumers) {
        return d.noWait() ? null : new QueueDeclareOk(queue, messages, consumers);
    }

    /** queue.purge-ok with the number of messages purged; null with no-wait. */
    public static Method queuePurgeOk(QueuePurge p, int purged) {
        return p.noWait() ? null : new QueuePurgeOk(purged);
    }

    /** queue.delete-ok with the number of messages deleted with the queue; null with no-wait. */
    public static Method queueDeleteOk(QueueDelete d, int deleted) {
        return d.noWait() ? null : new QueueDeleteOk(deleted);
    }

    /**
     * The ok that answers {@code cause} once the topology has done it: declare, delete, bind, unbind of exchanges and
     * queue bind/unbind. Null with no-wait (queue.unbind has no no-wait: always unbind-ok).
     */
    public static Method okWhenDone(Method cause) {
        if (cause instanceof ExchangeDeclare d) return d.noWait() ? null : new ExchangeDeclareOk();
        if (cause instanceof ExchangeDelete d) return d.noWait() ? null : new ExchangeDeleteOk();
        if (cause instanceof ExchangeBind b) return b.noWait() ? null : new ExchangeBindOk();
        if (cause instanceof ExchangeUnbind b) return b.noWait() ? null : new ExchangeUnbindOk();
        if (cause instanceof QueueBind b) return b.noWait() ? null : new QueueBindOk();
        if (cause instanceof QueueUnbind) return new QueueUnbindOk();
        throw new IllegalArgumentException("not a topology change: " + cause.name());
    }
}
