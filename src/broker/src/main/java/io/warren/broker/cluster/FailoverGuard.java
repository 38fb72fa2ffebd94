package io.warren.broker.cluster;

import io.warren.broker.protocol.StallCheck;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downing actor of {@link WarrenDowningProvider}: runs the Split Brain Resolver as its child (silence), and
 * itself probes every other member's remoting port (crashes), fences downed members off the journal database and
 * takes this node out when it is downed or on the losing side.
 *
 * <p>Probes are plain TCP connects, closed at once, every {@code probe-interval}; a refusal is checked again right
 * away. A frozen process still accepts (its kernel completes the handshake), so a freeze is never mistaken for a
 * crash; it stays with the heartbeats and the Split Brain Resolver.
 *
 * <p>After this process itself could not run for longer than the others' earliest downing decision, it shuts the
 * node's {@link NodeFence} and asks the other members' guards whether it is still a member ({@link StallVerdict});
 * it answers the same question from them.
 */
public final class FailoverGuard extends AbstractActorWithTimers {
    private static final Logger log = LoggerFactory.getLogger(FailoverGuard.class);
    /** The exit code of a node that takes itself out; a supervisor restarts it as a new incarnation. */
    public static final int EXIT_DOWNED = 3;

    private record Tick() {}
    private record ProbeResult(Address member, CrashVerdict.Probe probe) {}
    private record Fenced(Address member, String tag, int sessions, Throwable failure, long tookMillis) {}
    /** crash-removal-margin has passed since this node downed {@code member} for refused connections. */
    private record RemoveCrashed(org.apache.pekko.cluster.UniqueAddress member) {}

    /**
     * A stall check under way: this node's gate is shut since {@code askedAtNanos}, and it waits for a majority of
     * {@code voters} (its view when it asked) to confirm it is still a member. {@code round} tells its answers from
     * those of an earlier check.
     */
    private record StallCheckRound(long round, long askedAtNanos, long stalledMillis, Set<String> voters,
                                   Map<String, StallVerdict.Answer> answers) {}

    private final Cluster cluster = Cluster.get(getContext().getSystem());
    private final NodeFence fence = NodeFence.get(getContext().getSystem());
    private final FailoverSettings settings;
    private final ExecutorService blocking = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "warren-failover-probe");
        t.setDaemon(true);
        return t;
    });
    private final Map<Address, CrashVerdict.Probe> lastProbe = new HashMap<>();
    private final Map<Address, Integer> refusalsInARow = new HashMap<>();
    private final Map<Address, Long> probeStartedNanos = new HashMap<>();
    /** Incarnations (address + uid) this node downed: a restart at the same address is a new member. */
    private final Set<org.apache.pekko.cluster.UniqueAddress> downedByUs = new HashSet<>();
    private long minoritySinceNanos = 0;
    private long lastTickNanos = System.nanoTime();
    private boolean exiting = false;
    private StallCheckRound stallCheck;
    private long nextRound = 1;

    public static Props props(FailoverSettings settings, Props splitBrainResolver) {
        return Props.create(FailoverGuard.class, () -> new FailoverGuard(settings, splitBrainResolver));
    }

    private FailoverGuard(FailoverSettings settings, Props splitBrainResolver) {
        this.settings = settings;
        getContext().actorOf(splitBrainResolver, "splitBrainResolver");
    }

    @Override
    public void preStart() {
        cluster.subscribe(getSelf(), ClusterEvent.initialStateAsEvents(), ClusterEvent.MemberDowned.class);
        getTimers().startTimerWithFixedDelay("probe", new Tick(), settings.probeInterval());
        lastTickNanos = System.nanoTime();
        settings.stallLimit().ifPresent(limit -> fence.arm(limit, lastTickNanos));
        if (settings.exitWhenDowned()) exitWhenPekkoShutsDownADownedNode();
    }

    /**
     * Pekko also downs this node itself, e.g. the resolver's DownSelfQuarantinedByRemote when a node resumed from a
     * freeze finds that the others quarantined it, and then shuts the cluster and the actor system down at once:
     * MemberDowned need not reach this actor first, and the process then ended with Main's exit code 1 instead of 3
     * (FrozenNodeBench: the supervisor, which restarts code 3 only, left the node down). The first phase of that
     * shutdown halts with code 3, as {@link #exit} does.
     */
    private void exitWhenPekkoShutsDownADownedNode() {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(getContext().getSystem());
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "warren-exit-when-downed", () -> {
            if (shutdown.getShutdownReason().filter(r -> r == CoordinatedShutdown.clusterDowningReason()).isPresent()) {
                fence.shut("exiting: downed");
                log.error("this node was downed and Pekko is shutting it down; exiting with code {} so that a supervisor"
                        + " starts a new incarnation", EXIT_DOWNED);
                Runtime.getRuntime().halt(EXIT_DOWNED);
            }
            return CompletableFuture.completedFuture(Done.done());
        });
    }

    @Override
    public void postStop() {
        cluster.unsubscribe(getSelf());
        blocking.shutdownNow();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tick.class, t -> onTick())
                .match(ProbeResult.class, this::onProbe)
                .match(ClusterEvent.MemberDowned.class, d -> onDowned(d.member()))
                .match(Fenced.class, this::onFenced)
                .match(RemoveCrashed.class, r -> CrashedMemberRemoval.markTerminated(getContext().getSystem(), r.member()))
                .match(StallCheck.Query.class, this::onStallQuery)
                .match(StallCheck.Answer.class, this::onStallAnswer)
                .matchAny(m -> { })
                .build();
    }

    /**
     * A tick far later than scheduled means this process could not run (kill -STOP, a very long GC pause, a
     * starved host). If that lasted longer than the earliest moment the others could have downed it
     * (acceptable-heartbeat-pause + stable-after), its queues may already run elsewhere: it shuts its gate first
     * (no journal write, no delivery from this node), then asks the other members whether it is still one of them,
     * and goes on only once a majority says so ({@link StallVerdict}). On a busy host that is the common case, and
     * exiting on the clock alone downed healthy nodes.
     */
    private void onTick() {
        long now = System.nanoTime();
        long stalled = now - lastTickNanos;
        lastTickNanos = now;
        if (exiting) return;
        if (settings.stallLimit().isPresent() && stalled > settings.stallLimit().get().toNanos()
                && cluster.state().members().size() > 1) {
            // Shut before the tick is recorded: recording it first would open the gate for a moment.
            fence.shut("this process could not run for " + Duration.ofNanos(stalled).toMillis() + " ms");
            fence.ticked(now);
            startStallCheck(Duration.ofNanos(stalled).toMillis(), now);
        } else {
            fence.ticked(now);
            if (stallCheck != null) {
                askOthers();
                decideStall(now);
            }
        }
        probeAll();
    }

    private void startStallCheck(long stalledMillis, long now) {
        Set<String> voters = new HashSet<>();
        for (Member member : cluster.state().getMembers()) {
            if (isVoter(member)) voters.add(member.address().toString());
        }
        stallCheck = new StallCheckRound(nextRound++, now, stalledMillis, voters, new HashMap<>());
        log.warn("This process could not run for {} ms, longer than the {} ms after which the other members may have"
                        + " downed it: journal writes and deliveries are held while it asks the {} voting members",
                stalledMillis, settings.stallLimit().get().toMillis(), voters.size());
        askOthers();
        decideStall(now);
    }

    /** Asks every other member that has not yet confirmed this node, at the same path as this actor's. */
    private void askOthers() {
        StallCheckRound check = stallCheck;
        var query = new StallCheck.Query(cluster.selfAddress().toString(), cluster.selfUniqueAddress().longUid(),
                check.round());
        String path = getSelf().path().toStringWithoutAddress();
        for (Member member : cluster.state().getMembers()) {
            if (member.address().equals(cluster.selfAddress())) continue;
            if (check.answers().get(member.address().toString()) == StallVerdict.Answer.UP) continue;
            getContext().actorSelection(member.address().toString() + path).tell(query, getSelf());
        }
    }

    private void onStallAnswer(StallCheck.Answer a) {
        StallCheckRound check = stallCheck;
        if (exiting || check == null || a.round() != check.round()) return;
        StallVerdict.Answer answer;
        try {
            answer = StallVerdict.Answer.valueOf(a.status());
        } catch (IllegalArgumentException unknown) {
            answer = StallVerdict.Answer.UNREACHABLE; // a newer member's word this one does not know: no vote
        }
        check.answers().put(a.responder(), answer);
        decideStall(System.nanoTime());
    }

    private void decideStall(long now) {
        StallCheckRound check = stallCheck;
        if (check == null || exiting) return;
        StallVerdict.Decision decision = StallVerdict.decide(cluster.selfAddress().toString(), check.voters(),
                check.answers(), check.askedAtNanos(), now, settings.stallCheckTimeout().toNanos());
        long tookMillis = Duration.ofNanos(now - check.askedAtNanos()).toMillis();
        switch (decision) {
            case RESUME -> {
                stallCheck = null;
                fence.reopen();
                log.info("A majority of the members confirmed this node is still a member {} ms after its {} ms stall"
                        + " ({}): journal writes and deliveries resume", tookMillis, check.stalledMillis(), check.answers());
            }
            case EXIT -> exit("this process could not run for " + check.stalledMillis() + " ms and "
                    + (check.answers().containsValue(StallVerdict.Answer.DOWNED)
                            ? "a member says it was downed or removed"
                            : "no majority of the " + check.voters().size() + " voting members confirmed it within "
                                    + tookMillis + " ms")
                    + " (answers: " + check.answers() + ")");
            case WAIT -> { }
        }
    }

    /** Another member asks how this node sees it (it could not run for a while); see {@link StallVerdict.Answer}. */
    private void onStallQuery(StallCheck.Query q) {
        StallVerdict.Answer answer = StallVerdict.Answer.DOWNED;
        var state = cluster.state();
        for (Member member : state.getMembers()) {
            // Another incarnation at that address, or none: the asker was removed (DOWNED stays).
            if (!member.address().toString().equals(q.address()) || member.uniqueAddress().longUid() != q.uid()) continue;
            MemberStatus status = member.status();
            if (status == MemberStatus.down() || status == MemberStatus.exiting() || status == MemberStatus.removed()) {
                answer = StallVerdict.Answer.DOWNED;
            } else if (state.getUnreachable().contains(member)) {
                answer = StallVerdict.Answer.UNREACHABLE;
            } else {
                answer = StallVerdict.Answer.UP;
            }
        }
        getSender().tell(new StallCheck.Answer(q.round(), cluster.selfAddress().toString(), answer.name()), getSelf());
    }

    private void probeAll() {
        if (exiting) return;
        for (Member member : cluster.state().getMembers()) {
            if (isCandidate(member) && !member.address().equals(cluster.selfAddress())) probe(member.address());
        }
        judge();
    }

    private void probe(Address member) {
        long now = System.nanoTime();
        // Still waiting on the last one. Only the connect's own timeout says "silent": inferring it from how long
        // the answer takes would make a stall of this very process look like silence of the others.
        if (probeStartedNanos.containsKey(member)) return;
        if (member.host().isEmpty() || member.port().isEmpty()) return;
        probeStartedNanos.put(member, now);
        String host = member.host().get();
        int port = (Integer) member.port().get();
        int timeoutMillis = (int) Math.max(1, settings.probeTimeout().toMillis());
        var self = getSelf();
        blocking.execute(() -> self.tell(new ProbeResult(member, connect(host, port, timeoutMillis)), self));
    }

    /** A refused connect (RST) is a crash; a timeout or an unreachable host is only silence. */
    static CrashVerdict.Probe connect(String host, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.setSoLinger(true, 0);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return CrashVerdict.Probe.ANSWERED;
        } catch (NoRouteToHostException e) {
            return CrashVerdict.Probe.SILENT;
        } catch (ConnectException e) {
            return e.getMessage() != null && e.getMessage().contains("refused")
                    ? CrashVerdict.Probe.REFUSED : CrashVerdict.Probe.SILENT;
        } catch (IOException e) {
            return CrashVerdict.Probe.SILENT;
        }
    }

    private void onProbe(ProbeResult r) {
        probeStartedNanos.remove(r.member());
        if (exiting) return;
        lastProbe.put(r.member(), r.probe());
        if (r.probe() == CrashVerdict.Probe.REFUSED) {
            int refusals = refusalsInARow.merge(r.member(), 1, Integer::sum);
            if (refusals < settings.refusalsToDown()) {
                probe(r.member()); // confirm at once rather than a probe interval later
                return;
            }
        } else {
            refusalsInARow.remove(r.member());
        }
        judge();
    }

    private void judge() {
        Set<String> voters = new HashSet<>();
        Set<String> candidates = new HashSet<>();
        Map<String, Member> byName = new HashMap<>();
        for (Member member : cluster.state().getMembers()) {
            String name = member.address().toString();
            byName.put(name, member);
            if (isVoter(member)) voters.add(name);
            if (isCandidate(member)) candidates.add(name);
        }
        Map<String, CrashVerdict.Probe> probes = new HashMap<>();
        lastProbe.forEach((a, p) -> probes.put(a.toString(), p));
        Map<String, Integer> refusals = new HashMap<>();
        refusalsInARow.forEach((a, n) -> refusals.put(a.toString(), n));
        // Forget members that left the membership.
        lastProbe.keySet().removeIf(a -> !byName.containsKey(a.toString()));
        refusalsInARow.keySet().removeIf(a -> !byName.containsKey(a.toString()));

        CrashVerdict.Verdict verdict = CrashVerdict.judge(cluster.selfAddress().toString(), voters, candidates,
                probes, refusals, settings.refusalsToDown());
        for (String name : verdict.toDown()) {
            Member member = byName.get(name);
            if (downedByUs.add(member.uniqueAddress())) {
                log.warn("Downing {}: its remoting port refuses connections (crashed), seen from a majority",
                        member.address());
                cluster.down(member.address());
                // Removal moves its shards and singletons at once (down-removal-margin is 0, see
                // WarrenDowningProvider): the margin for a node that is refused but alive is taken here.
                getTimers().startSingleTimer(new RemoveCrashed(member.uniqueAddress()),
                        new RemoveCrashed(member.uniqueAddress()), settings.crashRemovalMargin());
            }
        }
        if (verdict.selfRefusedByMajority()) {
            exit("a majority of the members refuse connections: this node is on the losing side of a partition or alone");
        } else if (verdict.selfInMinority()) {
            long now = System.nanoTime();
            if (minoritySinceNanos == 0) {
                minoritySinceNanos = now;
            } else if (now - minoritySinceNanos >= settings.minorityExitAfter().toNanos()) {
                exit("a majority of the members have not answered for " + settings.minorityExitAfter().toMillis()
                        + " ms: this node is on the losing side of a partition");
            }
        } else {
            minoritySinceNanos = 0;
        }
    }

    private void onDowned(Member member) {
        if (member.address().equals(cluster.selfAddress())) {
            exit("this node was downed by the cluster");
            return;
        }
        if (exiting || settings.fenceTarget().isEmpty()) return;
        for (String role : member.getRoles()) {
            if (!role.startsWith(FailoverSettings.SESSION_ROLE_PREFIX)) continue;
            String tag = role.substring(FailoverSettings.SESSION_ROLE_PREFIX.length());
            var target = settings.fenceTarget().get();
            var self = getSelf();
            blocking.execute(() -> {
                long start = System.nanoTime();
                int ended = 0;
                Throwable failure = null;
                try {
                    ended = JournalFence.endSessions(target, tag);
                } catch (Exception e) {
                    failure = e;
                }
                self.tell(new Fenced(member.address(), tag, ended, failure,
                        Duration.ofNanos(System.nanoTime() - start).toMillis()), self);
            });
        }
    }

    private void onFenced(Fenced f) {
        if (f.failure() != null) {
            log.warn("Could not end the journal sessions of downed {} ({}): {}", f.member(), f.tag(), f.failure().toString());
        } else {
            log.info("Fenced downed {} off the journal: ended {} session(s) tagged {} in {} ms", f.member(),
                    f.sessions(), f.tag(), f.tookMillis());
        }
    }

    /**
     * Stops this process at once: whatever it still does (deliveries, journal writes) would race the survivors,
     * which start its queues as soon as it is removed; its supervisor starts a new incarnation that rejoins.
     */
    private void exit(String why) {
        if (exiting) return;
        exiting = true;
        fence.shut("exiting: " + why);
        if (!settings.exitWhenDowned()) {
            log.error("{}; leaving the cluster (warren.cluster.failover.exit-when-downed = off)", why);
            cluster.down(cluster.selfAddress());
            return;
        }
        log.error("{}; exiting with code {} so that a supervisor starts a new incarnation", why, EXIT_DOWNED);
        Runtime.getRuntime().halt(EXIT_DOWNED);
    }

    /** Up and Leaving members vote, as the resolver's keep-majority counts them. */
    private static boolean isVoter(Member member) {
        return member.status() == MemberStatus.up() || member.status() == MemberStatus.leaving();
    }

    private static boolean isCandidate(Member member) {
        MemberStatus s = member.status();
        return s == MemberStatus.joining() || s == MemberStatus.weaklyUp() || s == MemberStatus.up()
                || s == MemberStatus.leaving();
    }
}
