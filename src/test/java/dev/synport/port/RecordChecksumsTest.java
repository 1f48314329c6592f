package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CopyDigest;
import dev.synport.sqlite.RecordHash.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which rows a digest gained since an earlier one: those alone are hashed for its record hash. */
class RecordChecksumsTest {
    private static final CopyDigest EARLIER = digest(Checkpoint.START, new Checkpoint(501, -20));

    @Test
    void aDigestThatGrewGainedTheRowsBetweenItsOldAndNewEnds() {
        CopyDigest now = digest(Checkpoint.START, new Checkpoint(801, -35));

        assertThat(RecordChecksums.gained(EARLIER, now))
                .hasValue(List.of(new Range(501, 800), new Range(-34, -20)));
    }

    @Test
    void theSameDigestGainedNothing() {
        assertThat(RecordChecksums.gained(EARLIER, EARLIER)).hasValueSatisfying(ranges -> assertThat(ranges)
                .allSatisfy(range -> assertThat(range.first()).isGreaterThan(range.last())));
    }

    @Test
    void aDigestFromAnotherStartOrEndingBeforeTheEarlierOneDidNotGrowFromIt() {
        assertThat(RecordChecksums.gained(EARLIER, digest(new Checkpoint(101, 0), new Checkpoint(801, -35))))
                .isEmpty();
        assertThat(RecordChecksums.gained(EARLIER, digest(Checkpoint.START, new Checkpoint(401, -35)))).isEmpty();
        assertThat(RecordChecksums.gained(EARLIER, digest(Checkpoint.START, new Checkpoint(801, -10)))).isEmpty();
    }

    private static CopyDigest digest(Checkpoint from, Checkpoint to) {
        return new CopyDigest("snapshot", from, to, to.forwardRowid() - to.backwardRowid(), 42);
    }
}
