package dev.synport.sqlite;

import dev.synport.ByteWords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * A 64-bit hash of the stored records (rowid and payload bytes, as SQLite's file format keeps
 * them) of a rowid table's rows within rowid ranges, read straight from the database file by
 * walking the table's b-tree: no SQL, no decoding of values. Two files give the same hash for
 * a range when they hold the same rows there, wherever their pages lie. It is the sum (mod
 * 2^64) of a hash of each row, so the hash of disjoint ranges together is the sum of theirs:
 * a table that grew is hashed by adding its new rows' to what its old ones gave. It reads the main
 * file only, so it must not be used while a write-ahead log holds pages (see
 * {@link Snapshot#recordFile()}).
 */
public final class RecordHash {
    /** Rows with rowids from {@code first} to {@code last}, both included. */
    public record Range(long first, long last) {}

    private static final long K = 0x9e3779b97f4a7c15L;
    private static final int LEAF = 0x0D;
    private static final int INTERIOR = 0x05;
    /** The most bytes read from the file at once. */
    private static final int MAX_WINDOW_BYTES = 128 << 10;

    private final FileChannel file;
    private final int pageSize;
    private final int usable;
    private final byte[] page;
    private final byte[] overflow;
    private final Stream stream = new Stream();
    /** Pages read from the file in one go: {@link #windowPages} from {@link #windowFirst}. */
    private final ByteBuffer window;
    private long windowFirst = Long.MIN_VALUE / 2;
    private int windowPages;
    /** Pages of the window taken so far. */
    private int windowUsed;
    /** Pages the next window reads. */
    private int readAhead = 1;
    private long hash;
    /** The value of the varint {@link #varint} read last. */
    private long value;

    private RecordHash(FileChannel file, int pageSize, int usable) {
        this.file = file;
        this.pageSize = pageSize;
        this.usable = usable;
        this.page = new byte[pageSize];
        this.overflow = new byte[pageSize];
        this.window = ByteBuffer.allocateDirect(Math.max(pageSize, MAX_WINDOW_BYTES / pageSize * pageSize));
    }

    /**
     * The hash of the rows of the table whose b-tree starts at {@code rootPage} within
     * {@code ranges}, or empty if that is not a rowid table's b-tree.
     */
    public static OptionalLong of(Path database, long rootPage, List<Range> ranges) throws IOException {
        if (rootPage < 1) {
            return OptionalLong.empty(); // a virtual table
        }
        try (FileChannel channel = FileChannel.open(database, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(100);
            readFully(channel, header, 0);
            int size = Short.toUnsignedInt(header.getShort(16));
            int pageSize = size == 1 ? 65536 : size;
            RecordHash walk = new RecordHash(channel, pageSize, pageSize - Byte.toUnsignedInt(header.get(20)));
            try {
                for (Range range : ranges) {
                    if (range.first() <= range.last() && !walk.visit(rootPage, range, 0)) {
                        return OptionalLong.empty();
                    }
                }
            } catch (IndexOutOfBoundsException e) {
                throw new IOException("page data out of bounds in the b-tree at page " + rootPage, e);
            }
            return OptionalLong.of(walk.hash);
        }
    }

    /** Hashes the rows of the subtree at {@code pageNumber} within {@code range}; false if it is no table b-tree. */
    private boolean visit(long pageNumber, Range range, int depth) throws IOException {
        if (depth > 64) {
            throw new IOException("the b-tree at page " + pageNumber + " is deeper than any SQLite makes");
        }
        byte[] bytes = page; // an interior page's children are taken out before they are read into it
        readInto(pageNumber, bytes);
        int start = pageNumber == 1 ? 100 : 0;
        int type = Byte.toUnsignedInt(bytes[start]);
        int cells = u16(bytes, start + 3);
        if (type == LEAF) {
            for (int i = 0; i < cells; i++) {
                leafCell(bytes, u16(bytes, start + 8 + 2 * i), range);
            }
            return true;
        }
        if (type != INTERIOR) {
            return false;
        }
        long[] children = new long[cells + 1];
        long[] keys = new long[cells];
        for (int i = 0; i < cells; i++) {
            int cell = u16(bytes, start + 12 + 2 * i);
            children[i] = u32(bytes, cell);
            varint(bytes, cell + 4);
            keys[i] = value;
        }
        children[cells] = u32(bytes, start + 8);
        // child i holds rowids above keys[i - 1] up to keys[i]; the last one those above the last key
        for (int i = 0; i <= cells; i++) {
            boolean below = i < cells && keys[i] < range.first();
            boolean above = i > 0 && keys[i - 1] >= range.last();
            if (!below && !above && !visit(children[i], range, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    private void leafCell(byte[] bytes, int cell, Range range) throws IOException {
        int at = cell + varint(bytes, cell);
        long total = value;
        at += varint(bytes, at);
        long rowid = value;
        if (rowid < range.first() || rowid > range.last()) {
            return;
        }
        long local = localSize(total);
        stream.start(mix(rowid ^ total));
        stream.feed(bytes, at, (int) local);
        long next = local < total ? u32(bytes, at + (int) local) : 0;
        long left = total - local;
        while (left > 0) {
            if (next == 0) {
                throw new IOException("a record's overflow chain ends early");
            }
            readInto(next, overflow);
            int chunk = (int) Math.min(left, usable - 4);
            stream.feed(overflow, 4, chunk);
            left -= chunk;
            next = u32(overflow, 0);
        }
        long h = stream.finish();
        hash += mix(h);
    }

    /** How much of a payload of {@code total} bytes a table leaf keeps on its page (SQLite's file format, 1.6). */
    private long localSize(long total) {
        long max = usable - 35;
        if (total <= max) {
            return total;
        }
        long min = ((long) (usable - 12) * 32 / 255) - 23;
        long k = min + ((total - min) % (usable - 4));
        return k <= max ? k : min;
    }

    /**
     * A hash of bytes fed in pieces, the same however they are cut (a payload spans overflow
     * pages). Four independent lanes take 32 bytes a round, so that the processor works on
     * them side by side.
     */
    private static final class Stream {
        private long h0;
        private long h1;
        private long h2;
        private long h3;
        private final byte[] block = new byte[32];
        private int inBlock;
        private long length;

        void start(long seed) {
            h0 = seed;
            h1 = seed ^ K;
            h2 = Long.rotateLeft(seed, 17);
            h3 = ~seed;
            inBlock = 0;
            length = 0;
        }

        void feed(byte[] b, int from, int count) {
            int i = from;
            int end = from + count;
            length += count;
            if (inBlock != 0) {
                int n = Math.min(32 - inBlock, count);
                System.arraycopy(b, i, block, inBlock, n);
                inBlock += n;
                i += n;
                if (inBlock < 32) {
                    return;
                }
                round(block, 0);
                inBlock = 0;
            }
            for (; i + 32 <= end; i += 32) {
                round(b, i);
            }
            System.arraycopy(b, i, block, 0, end - i);
            inBlock = end - i;
        }

        private void round(byte[] b, int at) {
            h0 = lane(h0, ByteWords.at(b, at));
            h1 = lane(h1, ByteWords.at(b, at + 8));
            h2 = lane(h2, ByteWords.at(b, at + 16));
            h3 = lane(h3, ByteWords.at(b, at + 24));
        }

        private static long lane(long h, long w) {
            long x = (h ^ w) * K;
            return x ^ (x >>> 29);
        }

        long finish() {
            if (inBlock != 0) {
                Arrays.fill(block, inBlock, 32, (byte) 0);
                round(block, 0);
            }
            return mix(h0) ^ Long.rotateLeft(mix(h1), 16) ^ Long.rotateLeft(mix(h2), 32)
                    ^ Long.rotateLeft(mix(h3), 48) ^ length;
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    private void readInto(long pageNumber, byte[] into) throws IOException {
        if (pageNumber < 1) {
            throw new IOException("a b-tree points at page " + pageNumber);
        }
        if (pageNumber < windowFirst || pageNumber >= windowFirst + windowPages) {
            fillWindow(pageNumber);
        }
        window.get((int) (pageNumber - windowFirst) * pageSize, into, 0, pageSize);
        windowUsed++;
    }

    /**
     * Reads the window from {@code pageNumber} on. A table's pages often lie in runs: a
     * window that continues the last one, all of whose pages were used, grows (up to
     * {@link #MAX_WINDOW_BYTES} a read); one that goes unused shrinks, down to one page.
     */
    private void fillWindow(long pageNumber) throws IOException {
        int capacity = window.capacity() / pageSize;
        if (pageNumber == windowFirst + windowPages && windowUsed >= windowPages) {
            readAhead = Math.min(capacity, readAhead * 2);
        } else if (windowUsed < windowPages / 2) {
            readAhead = Math.max(1, readAhead / 2);
        }
        window.clear().limit(readAhead * pageSize);
        long at = (pageNumber - 1) * pageSize;
        while (window.position() < pageSize) {
            int n = file.read(window, at + window.position());
            if (n < 0) {
                throw new IOException("the database file ends before page data at byte " + at);
            }
        }
        // a short read past the first page ends the window there (the file's end, or the kernel's choice)
        windowFirst = pageNumber;
        windowPages = window.position() / pageSize;
        windowUsed = 0;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new IOException("the database file ends before page data at byte " + at);
            }
            at += n;
        }
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
                | (b[at + 3] & 0xff);
    }

    /** Reads SQLite's varint at {@code at} into {@link #value}; returns its length in bytes. */
    private int varint(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            int x = b[at + i] & 0xff;
            v = (v << 7) | (x & 0x7f);
            if ((x & 0x80) == 0) {
                value = v;
                return i + 1;
            }
        }
        value = (v << 8) | (b[at + 8] & 0xff);
        return 9;
    }
}
