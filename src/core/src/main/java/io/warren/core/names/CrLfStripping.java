package io.warren.core.names;

import io.warren.amqp.method.ExchangeBind;
import io.warren.amqp.method.ExchangeDeclare;
import io.warren.amqp.method.ExchangeDelete;
import io.warren.amqp.method.ExchangeUnbind;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.QueueBind;
import io.warren.amqp.method.QueueDeclare;
import io.warren.amqp.method.QueueDelete;
import io.warren.amqp.method.QueueUnbind;

/**
 * RabbitMQ's channel removes every CR and LF from the exchange and queue names of exchange.declare/delete,
 * queue.declare/delete and the four bind/unbind methods before it looks at them (rabbit_channel:strip_cr_lf), so
 * {@code "a\r\nb"} declares, binds and deletes queue {@code "ab"}. Other methods (publish, consume, get, purge) keep
 * the name as sent.
 */
public final class CrLfStripping {
    private CrLfStripping() {}

    /** {@code name} without CR and LF characters. */
    public static String strip(String name) {
        if (name.indexOf('\r') < 0 && name.indexOf('\n') < 0) return name;
        return name.replace("\r", "").replace("\n", "");
    }

    /** The method with its names stripped as RabbitMQ strips them; the same object when nothing changes. */
    public static Method apply(Method method) {
        if (method instanceof QueueDeclare d && hasCrLf(d.queue())) {
            return new QueueDeclare(strip(d.queue()), d.passive(), d.durable(), d.exclusive(), d.autoDelete(),
                    d.noWait(), d.arguments());
        }
        if (method instanceof QueueDelete d && hasCrLf(d.queue())) {
            return new QueueDelete(strip(d.queue()), d.ifUnused(), d.ifEmpty(), d.noWait());
        }
        if (method instanceof ExchangeDeclare d && hasCrLf(d.exchange())) {
            return new ExchangeDeclare(strip(d.exchange()), d.type(), d.passive(), d.durable(), d.autoDelete(),
                    d.internal(), d.noWait(), d.arguments());
        }
        if (method instanceof ExchangeDelete d && hasCrLf(d.exchange())) {
            return new ExchangeDelete(strip(d.exchange()), d.ifUnused(), d.noWait());
        }
        if (method instanceof QueueBind b && (hasCrLf(b.queue()) || hasCrLf(b.exchange()))) {
            return new QueueBind(strip(b.queue()), strip(b.exchange()), b.routingKey(), b.noWait(), b.arguments());
        }
        if (method instanceof QueueUnbind b && (hasCrLf(b.queue()) || hasCrLf(b.exchange()))) {
            return new QueueUnbind(strip(b.queue()), strip(b.exchange()), b.routingKey(), b.arguments());
        }
        if (method instanceof ExchangeBind b && (hasCrLf(b.destination()) || hasCrLf(b.source()))) {
            return new ExchangeBind(strip(b.destination()), strip(b.source()), b.routingKey(), b.noWait(),
                    b.arguments());
        }
        if (method instanceof ExchangeUnbind b && (hasCrLf(b.destination()) || hasCrLf(b.source()))) {
            return new ExchangeUnbind(strip(b.destination()), strip(b.source()), b.routingKey(), b.noWait(),
                    b.arguments());
        }
        return method;
    }

    private static boolean hasCrLf(String name) {
        return name != null && (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0);
    }
}
