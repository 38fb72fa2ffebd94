package io.warren.broker.protocol;

/** The answer to an {@link AccessCommand.Change}: the version that holds it, or why it does not apply. */
public sealed interface AccessReply extends AccessSerializable {
    record Done(long version) implements AccessReply {}

    record Failed(String reason) implements AccessReply {}
}
