package dev.synport.port;

import java.util.function.LongConsumer;

/**
 * The rows of a target table as a multiset of their line hashes, each with where the row lies
 * (its {@code ctid}, packed in a long): a row of the snapshot with the same hash takes one of
 * them, and those left untaken are the rows the snapshot no longer has. Open addressing over
 * primitive arrays kept at most half full: 32 to 64 bytes a row.
 */
final class LineBag {
    private static final long EMPTY = 0;
    private static final long TAKEN = -1;

    private long[] hashes;
    /** The row's location, {@link #EMPTY} for a free slot, {@link #TAKEN} once taken. */
    private long[] locations;
    private int size;
    private final int limit;

    /** @param limit the most rows it holds; {@link #add} refuses more */
    LineBag(int limit) {
        this.limit = limit;
        this.hashes = new long[1024];
        this.locations = new long[1024];
    }

    /** Adds a row; false, adding nothing, once it holds {@code limit} rows. */
    boolean add(long hash, long location) {
        if (location == EMPTY || location == TAKEN) {
            throw new IllegalArgumentException("location " + location + " is reserved");
        }
        if (size >= limit) {
            return false;
        }
        if (2 * (size + 1) > hashes.length) {
            grow();
        }
        put(hash, location);
        size++;
        return true;
    }

    /** Takes one untaken row with {@code hash}; false if there is none. */
    boolean take(long hash) {
        int mask = hashes.length - 1;
        for (int i = slot(hash, mask); locations[i] != EMPTY; i = (i + 1) & mask) {
            if (hashes[i] == hash && locations[i] != TAKEN) {
                locations[i] = TAKEN;
                return true;
            }
        }
        return false;
    }

    /** Gives the location of every row not taken. */
    void forEachUntaken(LongConsumer action) {
        for (long location : locations) {
            if (location != EMPTY && location != TAKEN) {
                action.accept(location);
            }
        }
    }

    int size() {
        return size;
    }

    private void put(long hash, long location) {
        int mask = hashes.length - 1;
        int i = slot(hash, mask);
        while (locations[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        hashes[i] = hash;
        locations[i] = location;
    }

    private void grow() {
        long[] oldHashes = hashes;
        long[] oldLocations = locations;
        hashes = new long[oldHashes.length * 2];
        locations = new long[oldLocations.length * 2];
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldLocations[i] != EMPTY) {
                put(oldHashes[i], oldLocations[i]);
            }
        }
    }

    private static int slot(long hash, int mask) {
        long h = hash * 0x9e3779b97f4a7c15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
