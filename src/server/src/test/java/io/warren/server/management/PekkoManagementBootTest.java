package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whether Pekko Management (port 7626) runs: by default only where there is a cluster to serve. */
class PekkoManagementBootTest {

    private static Config node(String enabled, String seeds, boolean bootstrap) {
        return ConfigFactory.parseString("warren.management.pekko-management.enabled = " + enabled
                + "\nwarren.cluster.seed-nodes = " + seeds + "\nwarren.cluster.bootstrap = " + bootstrap);
    }

    @ParameterizedTest(name = "enabled={0}, seeds={1}, bootstrap={2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "auto  | []                               | false | false",
            "auto  | [\"pekko://warren@h1:25520\"]    | false | true",
            "auto  | []                               | true  | true",
            "AUTO  | []                               | false | false",
            "true  | []                               | false | true",
            "on    | []                               | false | true",
            "false | [\"pekko://warren@h1:25520\"]    | true  | false",
    })
    void runsOnClusteredNodesUnlessSetExplicitly(String enabled, String seeds, boolean bootstrap, boolean expected) {
        assertEquals(expected, PekkoManagementBoot.pekkoManagementEnabled(node(enabled, seeds, bootstrap)));
    }
}
