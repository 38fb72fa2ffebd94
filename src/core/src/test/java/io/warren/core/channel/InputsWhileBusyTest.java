package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InputsWhileBusyTest {

    private final InputsWhileBusy<String> inputs = new InputsWhileBusy<>();

    @Test
    void nothingWaitsWhileTheChannelIsNotBusy() {
        assertFalse(inputs.busy());
        assertNull(inputs.next());
    }

    @Test
    void inputsWaitUntilTheAnswerAndRunInOrder() {
        inputs.startWaiting();
        assertTrue(inputs.busy());
        inputs.waits("declare");
        inputs.waits("publish");
        assertNull(inputs.next(), "nothing runs before the answer");
        inputs.answered();
        assertEquals("declare", inputs.next());
        assertEquals("publish", inputs.next());
        assertNull(inputs.next());
    }

    @Test
    void anInputThatWaitsAgainHoldsBackTheRest() {
        inputs.startWaiting();
        inputs.waits("bind");
        inputs.waits("publish");
        inputs.answered();
        assertEquals("bind", inputs.next());
        inputs.startWaiting(); // the bind asks the topology
        assertNull(inputs.next());
        assertEquals(1, inputs.waitingCount());
        inputs.answered();
        assertEquals("publish", inputs.next());
    }

    @Test
    void closingDropsWhatWaits() {
        inputs.startWaiting();
        inputs.waits("publish");
        inputs.clear();
        assertFalse(inputs.busy());
        assertNull(inputs.next());
        assertEquals(0, inputs.waitingCount());
    }
}
