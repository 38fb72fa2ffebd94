package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyCodesTest {
    @Test
    void shortTextsAreKept() {
        assertEquals("NOT_FOUND - no queue 'q' in vhost '/'", ReplyCodes.fitShortstr("NOT_FOUND - no queue 'q' in vhost '/'"));
    }

    @Test
    void longTextsAreCutAt255BytesOnACharacterBoundary() {
        String text = "PRECONDITION_FAILED - " + "é".repeat(300); // 2 bytes per é
        String cut = ReplyCodes.fitShortstr(text);
        int bytes = cut.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes <= 255 && bytes >= 254, "cut to " + bytes + " bytes");
        assertTrue(text.startsWith(cut));
        assertTrue(cut.endsWith("é"), "no half character at the end");
    }
}
