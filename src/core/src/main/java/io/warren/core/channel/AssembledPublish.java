package io.warren.core.channel;

import io.warren.amqp.EncodedProperties;
import io.warren.amqp.method.BasicPublish;
import io.warren.amqp.method.Method;
import org.apache.pekko.util.ByteString;

/** A basic.publish with its content header and whole body, as {@link ContentAssembler} puts them together. */
public record AssembledPublish(BasicPublish method, EncodedProperties properties, ByteString body) implements DeferredInput {
    @Override public Method cause() { return method; }
}
