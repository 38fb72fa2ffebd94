package io.warren.it.features;

import io.warren.it.BrokerUnderTest;
import io.warren.it.PythonScripts;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dead-letter workflow from a second client library: tests/python/dead_letter.py (pika, see
 * {@link PythonScripts}) nacks failed jobs into a DLQ, inspects x-death, re-publishes and processes them.
 */
@ExtendWith(SharedBroker.class)
class PythonDeadLetterTest {
    private static final int TIMEOUT_SECONDS = 60;
    private final BrokerUnderTest broker;

    PythonDeadLetterTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @BeforeAll
    static void requirePika() throws Exception {
        PythonScripts.assumePikaAvailable();
    }

    @Test
    void pikaDeadLetterInspectAndRetry() throws Exception {
        PythonScripts.run(broker, "dead_letter.py", TIMEOUT_SECONDS, "10");
    }
}
