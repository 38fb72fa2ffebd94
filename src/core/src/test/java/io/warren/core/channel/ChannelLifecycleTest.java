package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.method.BasicQos;
import io.warren.amqp.method.ChannelClose;
import io.warren.amqp.method.ChannelCloseOk;
import io.warren.amqp.method.ChannelOpen;
import org.junit.jupiter.api.Test;

class ChannelLifecycleTest {

    private final ChannelLifecycle lifecycle = new ChannelLifecycle();

    @Test
    void theFirstMethodMustBeChannelOpen() {
        AmqpException e = assertThrows(AmqpException.class, () -> lifecycle.onMethod(new BasicQos(0, 1, false)));
        assertEquals(ReplyCodes.CHANNEL_ERROR, e.replyCode());
        assertEquals("CHANNEL_ERROR - expected 'channel.open'", e.replyText());
        assertTrue(e.connectionLevel());
        assertEquals(60, e.classId());
        assertEquals(10, e.methodId());
    }

    @Test
    void anOpenChannelProcessesMethodsAndRefusesASecondOpen() {
        assertEquals(ChannelLifecycle.Step.OPEN_OK, lifecycle.onMethod(new ChannelOpen()));
        assertEquals(ChannelLifecycle.Step.PROCESS, lifecycle.onMethod(new BasicQos(0, 1, false)));
        assertEquals(ChannelLifecycle.Step.PROCESS, lifecycle.onMethod(new ChannelOpen()));
        AmqpException e = assertThrows(AmqpException.class, () -> ChannelLifecycle.checkNotReopened(new ChannelOpen()));
        assertEquals("CHANNEL_ERROR - second 'channel.open' seen", e.replyText());
        assertTrue(e.connectionLevel());
        ChannelLifecycle.checkNotReopened(new BasicQos(0, 1, false));
    }

    @Test
    void aClosingChannelDropsAllButCloseAndCloseOk() {
        lifecycle.onMethod(new ChannelOpen());
        assertFalse(lifecycle.isClosing());
        lifecycle.closing();
        assertTrue(lifecycle.isClosing());
        assertEquals(ChannelLifecycle.Step.IGNORE, lifecycle.onMethod(new BasicQos(0, 1, false)));
        assertEquals(ChannelLifecycle.Step.REPLY_CLOSE_OK, lifecycle.onMethod(new ChannelClose(200, "bye", 0, 0)));
        assertEquals(ChannelLifecycle.Step.CLOSED, lifecycle.onMethod(new ChannelCloseOk()));
    }
}
