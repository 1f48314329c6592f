package dev.synport.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.FakeClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiveLineViewTest {
    private static final String ERASE = "\r\033[K";

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T21:00:00Z"));
    private final ProgressTracker tracker = new ProgressTracker(clock, Optional.empty());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private LiveLineView view(int columns) {
        return new LiveLineView(tracker, new PrintWriter(out), new PrintWriter(err), () -> columns);
    }

    @Test
    void oneLineRedrawnInPlaceWithPhasesAboveIt() {
        LiveLineView view = view(200);
        tracker.phase("Copying 1 table");
        tracker.copyPlanned(List.of(new PlannedTable("events", 0, 100_000, 1, false)));
        tracker.tableStarted("events", 0, 100_000);
        view.tick();
        clock.advance(Duration.ofSeconds(10));
        tracker.rowsCommitted("events", 50_000, 30_000_000);
        tracker.warning("something odd");
        view.tick();

        assertThat(out.toString()).isEqualTo(ERASE + "Copying 1 table...\n"
                + ERASE + "[--------------------] 0% 0/100,000 rows, 0 rows/s, 0.0 MB/s, elapsed 0.0s, ETA - | Copying"
                + " 1 table"
                + ERASE
                + ERASE + "[#########-----------] 49% 50,000/100,000 rows, 5,000 rows/s, 3.0 MB/s, elapsed 10.0s,"
                        + " ETA 10.4s | Copying 1 table");
        assertThat(err.toString()).isEqualTo("warning: something odd" + System.lineSeparator());
    }

    @Test
    void theLineNeverWrapsInANarrowTerminal() {
        LiveLineView view = view(40);
        tracker.phase("Copying a table with a long phase description that goes on");
        tracker.copyPlanned(List.of(new PlannedTable("events", 0, 100_000, 1, false)));
        view.tick();
        view.tick();
        String[] redraws = out.toString().split("\r\033\\[K");
        assertThat(Arrays.stream(redraws).filter(r -> !r.endsWith("\n"))).isNotEmpty()
                .allMatch(r -> r.length() <= 39, "at most 39 columns");
    }

    @Test
    void finishEndsTheLineAndPrintsTheSummaryBelowIt() {
        LiveLineView view = view(200);
        tracker.copyPlanned(List.of());
        tracker.finished();
        view.finish(List.of("Port finished in 0.0s.", "Next:"));
        assertThat(out.toString()).endsWith(" | Starting\nPort finished in 0.0s.\nNext:\n");
    }
}
