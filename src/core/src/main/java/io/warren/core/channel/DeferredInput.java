package io.warren.core.channel;

import io.warren.amqp.method.Method;

/**
 * What a client sent while its channel waited for an answer (see {@link InputsWhileBusy}): a method, or a whole
 * publish. Data, not a closure: the channel runs it as it would have run it at once.
 */
public sealed interface DeferredInput permits DeferredInput.OfMethod, AssembledPublish {

    /** The method an error while running this input is attributed to. */
    Method cause();

    /** A method other than basic.publish. */
    record OfMethod(Method method) implements DeferredInput {
        @Override public Method cause() { return method; }
    }
}
