package dev.synport.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.progress.PlannedTable;
import dev.synport.progress.ProgressSnapshot;
import dev.synport.progress.ProgressTracker;
import dev.synport.testing.FakeClock;
import dev.synport.testing.SummarySchema;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SummaryTest {
    private static final String COMMAND = "synapse-port-db --sqlite-database 'my snapshot.db' --postgres-config pg.yaml";

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T21:00:00Z"));
    private final ProgressTracker tracker = new ProgressTracker(clock, Optional.empty());

    /** 12 tables: events (1 value repaired, 1 row rejected) and 11 others of decreasing size; tiny has 1 row. */
    private void run(boolean finishAll) {
        List<PlannedTable> plan = new ArrayList<>();
        plan.add(new PlannedTable("events", 500, 1_000, 501, false));
        for (int i = 1; i <= 10; i++) {
            plan.add(new PlannedTable("table" + i, 0, 100 - i, 1, false));
        }
        plan.add(new PlannedTable("tiny", 0, 1, 1, false));
        tracker.copyPlanned(plan);
        tracker.sequencesSet(Map.of("events_stream_seq", 1_500L));
        for (PlannedTable t : plan) {
            tracker.tableStarted(t.name(), 0, t.rowsToCopy());
            clock.advance(Duration.ofMillis(1500));
            boolean last = t.name().equals("tiny");
            if (finishAll || !last) {
                tracker.rowsCommitted(t.name(), t.rowsToCopy(), 0);
                tracker.tableFinished(t.name());
            }
        }
        tracker.findingsRecorded("events", 1, 1);
    }

    private List<String> lines(RunOutcome outcome) {
        return SummaryText.lines(outcome, tracker.snapshot(), tracker.plan(), tracker.sequences().size());
    }

    @Test
    void aFinishedRunListsTheTablesThatMatterWithRightPluralsAndWhatToDoNext() {
        run(true);
        tracker.finished();
        List<String> lines = lines(new RunOutcome(RunOutcome.Status.OK, 0, Optional.empty(),
                Optional.of(Path.of("/var/tmp/report.jsonl")), Map.of("user_directory", "rebuilt"), COMMAND));
        assertThat(lines.get(0)).isEqualTo("Port finished in 18.0s: 12 tables, 1,945 rows copied this run,"
                + " 1 sequence set.");
        assertThat(lines.get(1)).isEqualTo("  table                             rows copied  repaired  rejected"
                + "   seconds");
        assertThat(lines.get(2)).isEqualTo("  events                                    999         1         1"
                + "       1.5");
        assertThat(lines.subList(3, 12)).allMatch(l -> l.startsWith("  table"));
        assertThat(lines.get(12)).isEqualTo("  and 2 more tables with 91 rows, nothing repaired or rejected");
        assertThat(lines).contains("Not copied (by design): user_directory; Synapse rebuilds the user directory by"
                + " itself after it starts.", "1 value repaired and 1 row rejected: see /var/tmp/report.jsonl");
        assertThat(String.join("\n", lines)).contains("stop Synapse", "start Synapse", "background updates",
                "user search fills within minutes").doesNotContainPattern("(?<![\\d,])1 (values|rows|tables)\\b");
    }

    @Test
    void theSummaryNamesTheLogWhenThereIsOne() {
        ProgressTracker logged = new ProgressTracker(clock, Optional.of(Path.of("/var/log/port-synapse.log")));
        logged.copyPlanned(List.of());
        logged.finished();
        assertThat(SummaryText.lines(new RunOutcome(RunOutcome.Status.OK, 0, Optional.empty(), Optional.empty(),
                Map.of(), COMMAND), logged.snapshot(), logged.plan(), 0))
                .contains("The log of this run is in /var/log/port-synapse.log.");
    }

    @Test
    void aStoppedRunSaysWhatWasKeptAndTheCommandThatContinues() {
        run(false);
        List<String> lines = lines(new RunOutcome(RunOutcome.Status.INTERRUPTED, 130, Optional.empty(),
                Optional.empty(), Map.of(), COMMAND));
        assertThat(lines.get(0)).isEqualTo("Stopped at your request after 18.0s: 11 tables of 12 complete, 1,944"
                + " rows committed this run; they stay in PostgreSQL with their checkpoints.");
        assertThat(lines.subList(lines.size() - 2, lines.size())).containsExactly("To continue, run:", "  " + COMMAND);
    }

    @Test
    void theJsonSummaryOfFinishedFailedAndStoppedRunsFollowsTheDocumentedSchema() {
        run(false);
        ProgressSnapshot snapshot = tracker.snapshot();
        String stopped = SummaryJson.json(new RunOutcome(RunOutcome.Status.INTERRUPTED, 130, Optional.empty(),
                Optional.empty(), Map.of(), COMMAND), snapshot, tracker.plan(), tracker.sequences());
        assertThat(SummarySchema.errors(stopped)).as(stopped).isEmpty();
        assertThat(stopped).contains("\"status\": \"interrupted\"", "\"exit_code\": 130",
                "{\"name\": \"events\", \"state\": \"complete\", \"rows_before\": 500, \"rows_planned\": 1000,"
                        + " \"rows_read\": 1000, \"rows_written\": 999, \"values_repaired\": 1, \"rows_rejected\": 1,"
                        + " \"seconds\": 1.500}",
                "{\"name\": \"tiny\", \"state\": \"partial\"", "\"events_stream_seq\": 1500",
                "\"continue_command\": \"synapse-port-db --sqlite-database 'my snapshot.db' --postgres-config"
                        + " pg.yaml\"");
        String failed = SummaryJson.json(new RunOutcome(RunOutcome.Status.FAILED, 5, Optional.of("PostgreSQL: \"x\""
                + " refused"), Optional.of(Path.of("r.jsonl")), Map.of(), COMMAND), new ProgressTracker(clock,
                Optional.empty()).snapshot(), List.of(), Map.of());
        assertThat(SummarySchema.errors(failed)).as(failed).isEmpty();
        assertThat(failed).contains("\"error\": \"PostgreSQL: \\\"x\\\" refused\"", "\"tables\": [],",
                "\"sequences\": {}");
    }

    @Test
    void theSchemaRefusesWhatTheDocumentDoesNotAllow() {
        assertThat(SummarySchema.errors("{\"format\": 1}")).isNotEmpty();
        run(true);
        String ok = SummaryJson.json(new RunOutcome(RunOutcome.Status.OK, 0, Optional.empty(), Optional.empty(),
                Map.of(), COMMAND), tracker.snapshot(), tracker.plan(), tracker.sequences());
        assertThat(SummarySchema.errors(ok)).isEmpty();
        assertThat(SummarySchema.errors(ok.replace("\"complete\"", "\"done\""))).isNotEmpty();
        assertThat(SummarySchema.errors(ok.replace("\"totals\": {", "\"totals\": {\"extra\": 1, "))).isNotEmpty();
    }
}
