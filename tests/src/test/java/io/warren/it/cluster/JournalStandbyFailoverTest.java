package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No single point of failure in storage: three nodes journal to a PostgreSQL primary with a synchronous standby
 * ({@link ReplicatedJournalDatabase}) through a multi-host JDBC URL. Under confirmed publishing and acking consumers
 * the primary is killed (-9) and the standby promoted: nothing confirmed is lost, and confirms resume (the time is
 * printed: "standby failover: ..."). Needs Debian's postgresql package (skipped without it).
 */
class JournalStandbyFailoverTest {

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void killingThePrimaryAndPromotingTheStandbyLosesNothingConfirmed() throws Exception {
        assumeTrue(ReplicatedJournalDatabase.debianBinaries().isPresent(), "Debian's postgresql package is not installed");
        try (ReplicatedJournalDatabase db = ReplicatedJournalDatabase.start(freePort(), freePort());
             ClusterUnderTest cluster = ClusterUnderTest.start("journal-standby", 3, db.brokerSettings());
             ConfirmedTraffic traffic = ConfirmedTraffic.start(cluster, List.of("standby-q1", "standby-q2", "standby-q3"))) {
            Thread.sleep(3_000);
            assertTrue(traffic.confirmed.size() > 20, "confirms flow before the failover: " + traffic.confirmed.size());

            long killedAt = System.currentTimeMillis();
            db.killPrimary();
            db.promoteStandby();
            long promotedAt = System.currentTimeMillis();
            while (traffic.lastConfirmAt.get() < promotedAt && System.currentTimeMillis() - promotedAt < 60_000) {
                Thread.sleep(50);
            }
            long resumedAfterPromote = traffic.lastConfirmAt.get() - promotedAt;
            Thread.sleep(2_000);
            Set<String> lost = traffic.stopAndFindLost(60_000);
            System.out.printf("standby failover: primary killed, standby promoted %d ms later; confirms resumed %d ms "
                            + "after the promotion (%d ms after the kill); %d confirmed, %d nacked, %d lost; %d journal rows "
                            + "on the new primary%n", promotedAt - killedAt, resumedAfterPromote,
                    traffic.lastConfirmAt.get() - killedAt, traffic.confirmed.size(), traffic.nacked.get(), lost.size(),
                    db.journalRowsOnStandby());
            assertTrue(resumedAfterPromote >= 0, "confirms never resumed after the promotion: " + traffic.figures());
            assertEquals(traffic.connectionCount(), traffic.openConnections(), "every client connection survives");
            assertEquals(Set.of(), lost, "confirmed messages never delivered");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
