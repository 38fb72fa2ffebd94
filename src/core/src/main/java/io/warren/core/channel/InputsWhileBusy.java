package io.warren.core.channel;

import java.util.ArrayDeque;

/**
 * The order of a channel's answers. While the channel waits for another actor's answer (a declare, bind, delete,
 * purge, get, consume), what the client sends meanwhile waits here and runs, in order, once the answer came; so
 * replies keep the order of requests, as the spec asks. Nothing waits (and nothing is allocated) while the channel is
 * not waiting.
 */
public final class InputsWhileBusy<T> {
    private boolean busy;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();

    /** The channel now waits for an answer. */
    public void startWaiting() {
        busy = true;
    }

    /** The answer came: what waited may run (see {@link #next}). */
    public void answered() {
        busy = false;
    }

    public boolean busy() {
        return busy;
    }

    /** Keeps an input that may not run now ({@link #busy}). */
    public void waits(T input) {
        waiting.add(input);
    }

    /** The next kept input that may run now; null while busy or when none waits. */
    public T next() {
        return busy ? null : waiting.poll();
    }

    public int waitingCount() {
        return waiting.size();
    }

    /** The channel closes: nothing waits any more. */
    public void clear() {
        busy = false;
        waiting.clear();
    }
}
