package dev.synport.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.synport.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T21:00:00Z"));
    private final ProgressTracker tracker = new ProgressTracker(clock, Optional.empty());

    /** events: 100,000 rows with indexes after the copy; state_groups_state 50,000; users 10. */
    private void plan() {
        tracker.copyPlanned(List.of(new PlannedTable("events", 0, 100_000, 1, true),
                new PlannedTable("state_groups_state", 0, 50_000, 1, false),
                new PlannedTable("users", 0, 10, 1, false)));
    }

    @Test
    void totalIsKnownWhenTheCopyIsPlannedAndNeverGrows() {
        assertThat(tracker.snapshot().rowsTotal()).isZero();
        plan();
        assertThat(tracker.snapshot().rowsTotal()).isEqualTo(150_010);
        tracker.tableStarted("events", 0, 100_000);
        tracker.rowsCommitted("events", 10_000, 5_000_000);
        tracker.tableStarted("state_groups_state", 0, 50_000);
        ProgressSnapshot s = tracker.snapshot();
        assertThat(s.rowsTotal()).isEqualTo(150_010);
        assertThat(s.rowsDone()).isEqualTo(10_000);
        assertThat(s.bytesDone()).isEqualTo(5_000_000);
    }

    @Test
    void aPlannedVerificationCountsAsWorkAfterTheCopy() {
        tracker.verificationPlanned();
        plan();
        // as below, plus VERIFY_WEIGHT per row the tables hold once copied, for reading them again
        double total = 150_010 + 50_000 + 3_000.2 + ProgressTracker.VERIFY_WEIGHT * 150_010;
        for (String table : List.of("events", "state_groups_state", "users")) {
            tracker.tableStarted(table, 0, 0);
            tracker.rowsCommitted(table, table.equals("events") ? 100_000 : table.equals("users") ? 10 : 50_000, 0);
            tracker.tableFinished(table);
        }
        tracker.copyFinished();
        assertThat(tracker.snapshot().fraction()).isCloseTo(200_010 / total, within(1e-9));
        tracker.finished();
        assertThat(tracker.snapshot().fraction()).isEqualTo(1.0);
    }

    @Test
    void fractionCountsIndexBuildsAndTheFinalChecks() {
        plan();
        // work: 150,010 rows + 0.5 x 100,000 for events' indexes + max(1,000, 2% of 150,010) for the checks
        double total = 150_010 + 50_000 + 3_000.2;
        for (String table : List.of("events", "state_groups_state", "users")) {
            tracker.tableStarted(table, 0, 0);
        }
        tracker.rowsCommitted("events", 100_000, 0);
        tracker.rowsCommitted("state_groups_state", 50_000, 0);
        tracker.rowsCommitted("users", 10, 0);
        tracker.tableFinished("state_groups_state");
        tracker.tableFinished("users");
        assertThat(tracker.snapshot().fraction()).isCloseTo(150_010 / total, within(1e-9));
        tracker.indexesBuilding("events", 3);
        assertThat(tracker.snapshot().tables().get(0).state()).isEqualTo(TableProgress.State.BUILDING_INDEXES);
        assertThat(tracker.snapshot().fraction()).isCloseTo(150_010 / total, within(1e-9));
        tracker.tableFinished("events");
        tracker.copyFinished();
        assertThat(tracker.snapshot().fraction()).isCloseTo(200_010 / total, within(1e-9)).isLessThan(1);
        tracker.finished();
        assertThat(tracker.snapshot().fraction()).isEqualTo(1.0);
    }

    @Test
    void etaIsTheRemainingWorkAtTheAverageRateAndRatesAreAveragedOverTheCopy() {
        plan();
        assertThat(tracker.snapshot().eta()).isEmpty();
        tracker.tableStarted("events", 0, 100_000);
        clock.advance(Duration.ofSeconds(10));
        tracker.rowsCommitted("events", 50_000, 20_000_000);
        ProgressSnapshot s = tracker.snapshot();
        // 5,000 row-equivalents/s; remaining 203,010.2 - 50,000
        assertThat(s.eta()).contains(Duration.ofMillis(30_602));
        assertThat(s.rowsPerSecond()).isEqualTo(5_000.0);
        assertThat(s.bytesPerSecond()).isEqualTo(2_000_000.0);
        assertThat(s.elapsed()).isEqualTo(Duration.ofSeconds(10));
        tracker.copyFinished();
        clock.advance(Duration.ofSeconds(10));
        assertThat(tracker.snapshot().rowsPerSecond()).as("the copy's rate, not diluted by later phases")
                .isEqualTo(5_000.0);
    }

    @Test
    void runningTablesComeFirstThenWaitingInPlanOrderThenFinished() {
        plan();
        tracker.tableStarted("users", 0, 10);
        clock.advance(Duration.ofSeconds(1));
        tracker.tableStarted("state_groups_state", 0, 50_000);
        assertThat(tracker.snapshot().tables()).extracting(TableProgress::name)
                .containsExactly("users", "state_groups_state", "events");
        tracker.rowsCommitted("users", 10, 100);
        tracker.findingsRecorded("users", 2, 1);
        tracker.tableFinished("users");
        List<TableProgress> tables = tracker.snapshot().tables();
        assertThat(tables).extracting(TableProgress::name).containsExactly("state_groups_state", "events", "users");
        assertThat(tables).extracting(TableProgress::state).containsExactly(TableProgress.State.COPYING,
                TableProgress.State.WAITING, TableProgress.State.DONE);
        assertThat(tables.get(2)).isEqualTo(new TableProgress("users", TableProgress.State.DONE, 10, 10, 2, 1,
                Duration.ofSeconds(1)));
        assertThat(tracker.snapshot().repaired()).isEqualTo(2);
        assertThat(tracker.snapshot().rejected()).isEqualTo(1);
    }

    @Test
    void notesKeepPhasesWarningsAndLargeTablesInOrder() {
        tracker.phase("Checking the SQLite snapshot x.db");
        tracker.warning("database.args: ignoring unknown key 'frob'");
        plan();
        tracker.tableStarted("users", 0, 10);
        tracker.tableStarted("events", 0, 100_000);
        clock.advance(Duration.ofSeconds(3));
        tracker.rowsCommitted("events", 100_000, 0);
        tracker.tableFinished("events");
        assertThat(tracker.notesFrom(0)).extracting(ProgressNote::kind, ProgressNote::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ProgressNote.Kind.PHASE, "Checking the SQLite snapshot x.db"),
                org.assertj.core.groups.Tuple.tuple(ProgressNote.Kind.WARNING,
                        "database.args: ignoring unknown key 'frob'"),
                org.assertj.core.groups.Tuple.tuple(ProgressNote.Kind.TABLE_STARTED, "events: copying 100,000 rows"),
                org.assertj.core.groups.Tuple.tuple(ProgressNote.Kind.TABLE_FINISHED,
                        "events: done (100,000 rows in 3.0s)"));
        assertThat(tracker.notesFrom(3)).hasSize(1);
        assertThat(tracker.notesFrom(9)).isEmpty();
    }

    @Test
    void aResumedRunSaysFromWhere() {
        tracker.copyPlanned(List.of(new PlannedTable("events", 40_000, 10_000, 40_001, true),
                new PlannedTable("state_groups_state", 20_000, 0, 20_001, false),
                new PlannedTable("users", 0, 10, 1, false)));
        assertThat(tracker.notesFrom(0)).extracting(ProgressNote::kind, ProgressNote::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ProgressNote.Kind.INFO, "Resuming an earlier port: 1 table"
                        + " complete, events from rowid 40,001, 60,000 rows already in PostgreSQL"));
        assertThat(tracker.snapshot().rowsTotal()).isEqualTo(10_010);
    }

    @Test
    void aFreshRunSaysNothingAboutResuming() {
        plan();
        assertThat(tracker.notesFrom(0)).isEmpty();
    }

    @Test
    void sequencesAreKeptForTheSummary() {
        tracker.sequencesSet(Map.of("events_stream_seq", 42L));
        assertThat(tracker.sequences()).containsExactly(Map.entry("events_stream_seq", 42L));
    }
}
