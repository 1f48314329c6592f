package dev.synport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes of an array at a time, read as one little-endian {@code long}: tests of all eight
 * at once, for the scans that run over every byte the port copies or hashes.
 */
public final class ByteWords {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private ByteWords() {}

    /** The eight bytes from {@code at}, the first in the lowest bits. */
    public static long at(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }

    /** {@code b} in each of the eight bytes: a pattern for {@link #matches}. */
    public static long repeated(char b) {
        return ONES * b;
    }

    /**
     * The high bit set in each byte of {@code word} equal to the byte {@code pattern} repeats;
     * nonzero exactly when one is, but only the lowest match is exact (a false one may lie above a true one).
     */
    public static long matches(long word, long pattern) {
        long x = word ^ pattern;
        return (x - ONES) & ~x & HIGHS;
    }

    /**
     * The high bit set in each byte of {@code word} below {@code n} (at most 128), read
     * unsigned; nonzero exactly when one is, but, as with {@link #matches}, only the lowest is exact.
     */
    public static long below(long word, int n) {
        return (word - ONES * n) & ~word & HIGHS;
    }

    /** Whether all eight bytes are ASCII characters other than NUL. */
    public static boolean asciiWithoutNul(long word) {
        return (word & HIGHS) == 0 && below(word, 1) == 0;
    }

    /** Whether {@code bytes} holds {@code b} anywhere. */
    public static boolean contains(byte[] bytes, char b) {
        long pattern = repeated(b);
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            if (matches(at(bytes, i), pattern) != 0) {
                return true;
            }
        }
        for (; i < bytes.length; i++) {
            if (bytes[i] == (byte) b) {
                return true;
            }
        }
        return false;
    }
}
