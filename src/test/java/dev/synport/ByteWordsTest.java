package dev.synport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteWordsTest {
    private static final byte[] INTERESTING = {0, 1, 9, 10, 13, 14, 0x5b, 0x5c, 0x5d, 0x7f, (byte) 0x80, (byte) 0xc3,
        (byte) 0xff, 'a'};

    @Test
    void eachTestAgreesWithOneByteAtATimeAndItsLowestHitIsExact() {
        Random random = new Random(7);
        byte[] b = new byte[8];
        for (int round = 0; round < 200_000; round++) {
            for (int i = 0; i < 8; i++) {
                b[i] = INTERESTING[random.nextInt(INTERESTING.length)];
            }
            long word = ByteWords.at(b, 0);
            int n = 1 + random.nextInt(128);
            assertThat(lowest(ByteWords.below(word, n))).isEqualTo(first(b, x -> (x & 0xff) < n));
            assertThat(lowest(ByteWords.matches(word, ByteWords.repeated('\\')))).isEqualTo(first(b, x -> x == '\\'));
            assertThat(ByteWords.asciiWithoutNul(word)).isEqualTo(first(b, x -> x <= 0) == 8);
        }
    }

    @Test
    void containsFindsTheByteAtEveryPositionOfEveryLength() {
        for (int length = 0; length < 20; length++) {
            byte[] b = new byte[length];
            Arrays.fill(b, (byte) 'x');
            assertThat(ByteWords.contains(b, '\\')).isFalse();
            for (int at = 0; at < length; at++) {
                b[at] = '\\';
                assertThat(ByteWords.contains(b, '\\')).isTrue();
                b[at] = 'x';
            }
        }
    }

    private interface BytePredicate {
        boolean test(byte b);
    }

    /** The index of the first byte that passes, 8 if none. */
    private static int first(byte[] b, BytePredicate p) {
        for (int i = 0; i < 8; i++) {
            if (p.test(b[i])) {
                return i;
            }
        }
        return 8;
    }

    private static int lowest(long mask) {
        return mask == 0 ? 8 : Long.numberOfTrailingZeros(mask) >>> 3;
    }
}
