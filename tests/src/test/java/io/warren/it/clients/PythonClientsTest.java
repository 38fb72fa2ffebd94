package io.warren.it.clients;

import io.warren.it.BrokerUnderTest;
import io.warren.it.PythonScripts;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A second client library: the pika scripts under tests/python (see {@link PythonScripts}). */
@ExtendWith(SharedBroker.class)
class PythonClientsTest {
    private final BrokerUnderTest broker;

    PythonClientsTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @BeforeAll
    static void requirePika() throws Exception {
        PythonScripts.assumePikaAvailable();
    }

    @Test
    void pikaConnectionLifecycle() throws Exception {
        PythonScripts.run(broker, "lifecycle.py", 120);
    }

    @Test
    void pikaWorkQueueSurvivesAConsumerDyingMidWork() throws Exception {
        PythonScripts.run(broker, "work_queue.py", 150, "60");
    }
}
