package io.warren.it.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A three-node cluster shared by the runs of one test class that each take a node away
 * ({@link FailoverScenario}): started once, stopped after the last run, and the previous run's victim brought
 * back before each run, so that every run starts from three nodes. One instance per class, so each subclass
 * has a cluster of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
abstract class DisruptedClusterTestBase {
    private static final int SIZE = 3;

    private final String clusterName;
    private final Map<String, String> settings;
    protected ClusterUnderTest cluster;

    protected DisruptedClusterTestBase(String clusterName) {
        this(clusterName, Map.of());
    }

    /** {@code settings}: extra configuration of every node (e.g. the management API). */
    protected DisruptedClusterTestBase(String clusterName, Map<String, String> settings) {
        this.clusterName = clusterName;
        this.settings = settings;
    }

    @BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void startCluster() {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.warren.it.BrokerUnderTest.isExternalMode(), "a Warren cluster");
        cluster = ClusterUnderTest.start(clusterName, SIZE, settings);
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @BeforeEach
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void allNodesUp() {
        cluster.ensureAllRunning();
    }

    /** Runs the scenario against this class's cluster and prints what happened, whatever the assertions say. */
    protected FailoverScenario.Result disrupt(String prefix, int victim, FailoverScenario.Disruption disruption,
                                              boolean alsoTransient, int queues, long warmUpMillis,
                                              long recoveryWindowMillis, long afterRecoveryMillis) throws Exception {
        FailoverScenario.Result result = FailoverScenario.run(cluster, prefix, victim, disruption, alsoTransient,
                queues, warmUpMillis, recoveryWindowMillis, afterRecoveryMillis);
        System.out.println(result.summary());
        return result;
    }
}
