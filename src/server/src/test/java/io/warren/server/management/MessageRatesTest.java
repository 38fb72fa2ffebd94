package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rates from the samples of earlier requests. */
class MessageRatesTest {

    @Test
    void rateIsTheChangeSinceASampleAtLeastASecondOld() {
        MessageRates rates = new MessageRates();
        assertEquals(0.0, rates.rate("q", 100, 10_000), "the first sample has nothing to compare with");
        assertEquals(0.0, rates.rate("q", 150, 10_500), "less than a second later: no base yet");
        assertEquals(100.0, rates.rate("q", 600, 15_000), "500 more over 5 s");
        assertEquals(100.0, rates.rate("q", 650, 15_500), "still based on the 10.5 s sample: 500 over 5 s");
        assertEquals(0.0, rates.rate("q", 10, 20_000), "a counter that restarted from 0 is not a negative rate");
    }

    @Test
    void statsHaveRabbitmqShape() {
        MessageRates rates = new MessageRates();
        rates.stats("vhost", Map.of("publish", 0L), 0);
        Map<String, Object> stats = rates.stats("vhost", Map.of("publish", 20L), 2_000);
        assertEquals(20L, stats.get("publish"));
        assertEquals(Map.of("rate", 10.0), stats.get("publish_details"));
    }
}
