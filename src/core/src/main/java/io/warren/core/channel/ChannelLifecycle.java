package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.method.ChannelClose;
import io.warren.amqp.method.ChannelCloseOk;
import io.warren.amqp.method.ChannelOpen;
import io.warren.amqp.method.Method;

/**
 * Open and closing states of one channel (RabbitMQ's rabbit_channel and rabbit_reader): the first method must be
 * channel.open, a second one is 504; once the server has sent channel.close, everything but close and close-ok is
 * dropped until the client's close-ok frees the number.
 */
public final class ChannelLifecycle {

    /** What the channel does with a method, given its state. */
    public enum Step {
        /** The channel.open: answer open-ok. */
        OPEN_OK,
        /** An ordinary method of an open channel. */
        PROCESS,
        /** Sent while the channel is closing: dropped. */
        IGNORE,
        /** A channel.close crossing ours: answer close-ok, keep waiting for ours. */
        REPLY_CLOSE_OK,
        /** The client's close-ok to our channel.close: the channel is gone. */
        CLOSED
    }

    private boolean opened;
    private boolean closing;

    /** 504 CHANNEL_ERROR (connection-level) for anything but channel.open on a channel not open yet. */
    public Step onMethod(Method method) {
        if (!opened) {
            if (!(method instanceof ChannelOpen)) throw channelError("expected 'channel.open'", method);
            opened = true;
            return Step.OPEN_OK;
        }
        if (closing) {
            if (method instanceof ChannelCloseOk) return Step.CLOSED;
            return method instanceof ChannelClose ? Step.REPLY_CLOSE_OK : Step.IGNORE;
        }
        return Step.PROCESS;
    }

    /** An ordinary method (after the content checks, which come first): a second channel.open is 504. */
    public static void checkNotReopened(Method method) {
        if (method instanceof ChannelOpen) throw channelError("second 'channel.open' seen", method);
    }

    /** The server sent channel.close. */
    public void closing() {
        closing = true;
    }

    public boolean isClosing() {
        return closing;
    }

    private static AmqpException channelError(String text, Method method) {
        return new AmqpException(ReplyCodes.CHANNEL_ERROR, ReplyCodes.text(ReplyCodes.CHANNEL_ERROR, text),
                method.classId(), method.methodId(), true);
    }
}
