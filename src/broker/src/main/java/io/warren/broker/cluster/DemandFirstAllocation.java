package io.warren.broker.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The queue shards' allocation strategy: least shards per region, with shards that someone is waiting for placed
 * before shards that are only remembered.
 *
 * <p>After a node is lost, Pekko's shard coordinator re-allocates every shard the lost region held, and with
 * remember-entities every shard ever used, one at a time: each allocation waits for a majority write of the
 * coordinator's state and a journal write of its remembered shards (30-40 ms on a loaded 2-core host), so a cluster
 * whose 33 lost shards mostly hold idle queues took up to a second before the queue a client was publishing to got
 * its turn. Requests from a shard region carry messages that wait for the shard (a re-sent publish, a consumer's
 * re-attach); requests the coordinator makes itself for remembered shards carry none. The latter are answered once
 * no region has asked for an unallocated shard for {@code unrequested-shard-delay} (regions ask again every
 * {@code pekko.cluster.sharding.retry-interval} while messages wait), so that the regions' requests are allocated
 * first; the coordinator goes on with other requests while an answer is pending. The strategy remembers what it promised until the coordinator's allocations show it,
 * so that promises made from one snapshot do not all pick the same region. Rebalancing keeps regions within one
 * shard of each other, a limited number of shards per round, and only while every member is Up and reachable.
 */
public final class DemandFirstAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {

    private final ActorSystem system;
    private final Cluster cluster;
    private final Duration unrequestedDelay;
    private final int rebalanceLimit;
    // Only the coordinator calls the strategy, one call at a time, from its own actor.
    private final ShardPlacement<ActorRef> placement;
    // When a region last asked for an unallocated shard; read by the scheduler's threads.
    private volatile long lastRequested = System.nanoTime() - Duration.ofDays(1).toNanos();
    private static final long MIN_WAIT_NANOS = Duration.ofMillis(10).toNanos();

    public DemandFirstAllocation(ActorSystem system, Duration unrequestedDelay, int rebalanceLimit) {
        this.system = system;
        this.cluster = Cluster.get(system);
        this.unrequestedDelay = unrequestedDelay;
        this.rebalanceLimit = rebalanceLimit;
        this.placement = new ShardPlacement<>(Duration.ofSeconds(30).toNanos());
    }

    /** A request from a shard region (its path /system/sharding/&lt;type&gt;), not one the coordinator sends itself. */
    static boolean fromRegion(ActorRef requester) {
        return requester.path().parent() != null && "sharding".equals(requester.path().parent().name());
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        boolean requested = fromRegion(requester);
        long now = System.nanoTime();
        if (requested) lastRequested = now;
        ActorRef region = placement.place(shardId, regions(currentShardAllocations), !requested, now);
        if (region == null) return Futures.failed(new IllegalStateException("no shard region to allocate " + shardId));
        if (requested || unrequestedDelay.isZero()) return Futures.successful(region);
        CompletableFuture<ActorRef> answer = new CompletableFuture<>();
        answerWhenQuiet(answer, region, now);
        return FutureConverters.asScala(answer);
    }

    /**
     * The coordinator handles one allocation at a time and puts the answers that arrive meanwhile ahead of the
     * requests it holds, so an answer for a remembered shard waits until no region has asked for an unallocated
     * shard for the delay (regions ask again every retry-interval while messages wait), at most ten delays.
     */
    private void answerWhenQuiet(CompletableFuture<ActorRef> answer, ActorRef region, long deferredAt) {
        long now = System.nanoTime();
        long wait = ShardPlacement.quietWait(now, deferredAt, lastRequested, unrequestedDelay.toNanos(),
                10 * unrequestedDelay.toNanos());
        if (wait <= 0) {
            answer.complete(region);
        } else {
            system.scheduler().scheduleOnce(Duration.ofNanos(Math.max(wait, MIN_WAIT_NANOS)),
                    () -> answerWhenQuiet(answer, region, deferredAt), system.dispatcher());
        }
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
                                         Set<String> rebalanceInProgress) {
        if (!rebalanceInProgress.isEmpty() || !allUpAndReachable()) return Futures.successful(Set.of());
        return Futures.successful(placement.rebalance(regions(currentShardAllocations), rebalanceLimit,
                System.nanoTime()));
    }

    private boolean allUpAndReachable() {
        var state = cluster.state();
        for (Member m : state.getMembers()) {
            if (m.status() != MemberStatus.up()) return false;
        }
        return state.getUnreachable().isEmpty();
    }

    /** The regions whose member is known, in address order (a stable tie-break). */
    private List<ShardPlacement.Region<ActorRef>> regions(Map<ActorRef, IndexedSeq<String>> allocations) {
        Map<Address, Member> members = new HashMap<>();
        for (Member m : cluster.state().getMembers()) members.put(m.address(), m);
        List<ShardPlacement.Region<ActorRef>> regions = new ArrayList<>();
        allocations.forEach((ref, shards) -> {
            Address address = ref.path().address().hasLocalScope() ? cluster.selfAddress() : ref.path().address();
            Member member = members.get(address);
            // A region whose member this node's view does not show yet (it lags the coordinator's for a moment)
            // counts as leaving: chosen only if no other region is left.
            MemberStatus status = member == null ? MemberStatus.down() : member.status();
            boolean leaving = status == MemberStatus.leaving() || status == MemberStatus.exiting()
                    || status == MemberStatus.down();
            regions.add(new ShardPlacement.Region<>(ref, leaving, CollectionConverters.asJava(shards)));
        });
        regions.sort(Comparator.comparing(r -> r.ref().path().address().toString()));
        return regions;
    }
}
