package io.warren.core.channel;

import java.util.ArrayList;
import java.util.List;

/**
 * tx.select / tx.commit / tx.rollback of one channel. Publishes ({@code P}, opaque here) and settlements wait for the
 * commit. A rollback forgets the publishes and hands back the settled deliveries, which are unacked again (RabbitMQ:
 * the client may ack them again; basic.recover in the open transaction does not requeue what it acked).
 */
public final class Transaction<P> {

    /** What a commit carries out, in the order the client sent it. */
    public record Committed<P>(List<P> publishes, List<Settlement> settlements) {}

    private boolean selected;
    private List<P> publishes = new ArrayList<>();
    private List<Settlement> settlements = new ArrayList<>();

    public void select() {
        selected = true;
    }

    public boolean selected() {
        return selected;
    }

    public void publish(P publish) {
        publishes.add(publish);
    }

    public void settle(Settlement s) {
        settlements.add(s);
    }

    public Committed<P> commit() {
        Committed<P> done = new Committed<>(publishes, settlements);
        publishes = new ArrayList<>();
        settlements = new ArrayList<>();
        return done;
    }

    /** Forgets the publishes; returns the deliveries whose settlement is undone. */
    public List<Unacked> rollback() {
        List<Unacked> undone = new ArrayList<>();
        for (Settlement s : settlements) undone.addAll(s.deliveries());
        publishes = new ArrayList<>();
        settlements = new ArrayList<>();
        return undone;
    }

    /** Adds the queue's delivery ids whose settlement waits for the commit: the channel still holds them. */
    void collect(String queue, LongList out) {
        for (Settlement s : settlements) {
            for (Unacked u : s.deliveries()) {
                if (u.queue().equals(queue)) out.add(u.deliveryId());
            }
        }
    }

    public void clear() {
        publishes = new ArrayList<>();
        settlements = new ArrayList<>();
    }
}
