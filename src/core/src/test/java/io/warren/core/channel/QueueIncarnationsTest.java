package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class QueueIncarnationsTest {

    private final QueueIncarnations<String> incarnations = new QueueIncarnations<>();

    @Test
    void theFirstAndTheSameIncarnationLoseNothing() {
        assertFalse(incarnations.heard("q", "node1#1"));
        assertFalse(incarnations.heard("q", "node1#1"));
    }

    @Test
    void aNewerIncarnationSpeakingFirstMeansTheQueueWasLost() {
        incarnations.heard("q", "node1#1");
        assertTrue(incarnations.heard("q", "node2#1"));
        // the old one's death arrives later: nothing is lost twice
        assertEquals(List.of(), incarnations.stopped("node1#1"));
        assertEquals(List.of("q"), incarnations.stopped("node2#1"));
    }

    @Test
    void aStoppedIncarnationLosesEveryQueueItServedOnce() {
        incarnations.heard("a", "shard#1");
        incarnations.heard("b", "shard#1");
        incarnations.heard("c", "other#1");
        assertEquals(Set.of("a", "b"), new HashSet<>(incarnations.stopped("shard#1")));
        assertEquals(List.of(), incarnations.stopped("shard#1"));
        assertEquals(List.of("c"), incarnations.stopped("other#1"));
    }

    @Test
    void aClosedChannelFollowsNoQueue() {
        incarnations.heard("a", "shard#1");
        incarnations.clear();
        assertEquals(List.of(), incarnations.stopped("shard#1"));
        assertFalse(incarnations.heard("a", "shard#2"));
    }
}
