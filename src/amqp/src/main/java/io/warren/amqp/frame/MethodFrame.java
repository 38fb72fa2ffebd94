package io.warren.amqp.frame;

import io.warren.amqp.method.Method;

/** A method frame (type 1). */
public record MethodFrame(int channel, Method method) implements Frame {}
