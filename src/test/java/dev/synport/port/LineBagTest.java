package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineBagTest {
    @Test
    void eachRowIsTakenOnceAndTheUntakenAreGiven() {
        LineBag bag = new LineBag(100);
        bag.add(7, 1);
        bag.add(7, 2); // two equal rows
        bag.add(9, 3);
        assertThat(bag.take(7)).isTrue();
        assertThat(bag.take(7)).isTrue();
        assertThat(bag.take(7)).as("only two rows hash to 7").isFalse();
        assertThat(bag.take(8)).isFalse();
        List<Long> untaken = new ArrayList<>();
        bag.forEachUntaken(untaken::add);
        assertThat(untaken).containsExactly(3L);
    }

    @Test
    void itGrowsAndKeepsEveryRowUpToItsLimit() {
        LineBag bag = new LineBag(50_000);
        for (long i = 1; i <= 50_000; i++) {
            assertThat(bag.add(i * 0x10000, i)).isTrue();
        }
        assertThat(bag.add(1, 1)).as("past its limit").isFalse();
        assertThat(bag.size()).isEqualTo(50_000);
        for (long i = 1; i <= 50_000; i += 2) {
            assertThat(bag.take(i * 0x10000)).isTrue();
        }
        long[] count = new long[1];
        bag.forEachUntaken(location -> {
            assertThat(location % 2).isZero();
            count[0]++;
        });
        assertThat(count[0]).isEqualTo(25_000);
    }

    @Test
    void theMarkersAreNoLocations() {
        LineBag bag = new LineBag(10);
        assertThatThrownBy(() -> bag.add(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bag.add(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
