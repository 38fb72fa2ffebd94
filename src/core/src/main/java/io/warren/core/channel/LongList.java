package io.warren.core.channel;

import java.util.Arrays;

/** A growable list of primitive longs: delivery ids gathered for one batch, without boxing each. */
final class LongList {
    private long[] values = new long[8];
    private int size;

    void add(long v) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = v;
    }

    long[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
