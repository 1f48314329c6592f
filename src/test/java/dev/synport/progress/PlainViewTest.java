package dev.synport.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.FakeClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlainViewTest {
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ";

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T21:00:00Z"));
    private final ProgressTracker tracker = new ProgressTracker(clock, Optional.empty());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final PlainView view = new PlainView(tracker, new PrintWriter(out), new PrintWriter(err), clock,
            Duration.ofSeconds(5));

    @Test
    void timestampedLinesWithoutControlCharactersAndWarningsOnStderr() {
        tracker.phase("Checking the SQLite snapshot x.db");
        tracker.warning("database.args: ignoring unknown key 'frob'");
        tracker.copyPlanned(List.of(new PlannedTable("events", 0, 50_000, 1, true),
                new PlannedTable("evil\u001b[0m\r", 0, 20_000, 1, false)));
        tracker.phase("Copying 2 tables");
        tracker.tableStarted("events", 0, 50_000);
        tracker.tableStarted("evil\u001b[0m\r", 0, 20_000);
        view.tick();
        clock.advance(Duration.ofSeconds(5));
        tracker.rowsCommitted("events", 25_000, 1_000_000);
        view.tick();
        tracker.rowsCommitted("events", 25_000, 1_000_000);
        tracker.tableFinished("events");
        view.finish(List.of("Port finished in 5.0s: 2 tables."));

        String text = out.toString();
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n' || c == 0x7f)).as(text).isEmpty();
        List<String> lines = text.lines().toList();
        assertThat(lines.subList(0, lines.size() - 1)).allMatch(l -> l.matches(STAMP + ".+"), "timestamped");
        assertThat(lines).containsExactly(
                "2026-12-01 21:00:00 Checking the SQLite snapshot x.db...",
                "2026-12-01 21:00:00 Copying 2 tables...",
                "2026-12-01 21:00:00 events: copying 50,000 rows",
                "2026-12-01 21:00:00 evil?[0m?: copying 20,000 rows",
                "2026-12-01 21:00:05   events: 25,000/50,000 (50%)",
                "2026-12-01 21:00:05   evil?[0m?: 0/20,000 (0%)",
                "2026-12-01 21:00:05 overall: 25% 25,000/70,000 rows, 5,000 rows/s, 0.2 MB/s, elapsed 5.0s,"
                        + " ETA 14.2s; Copying 2 tables",
                "2026-12-01 21:00:05 events: done (50,000 rows in 5.0s)",
                "Port finished in 5.0s: 2 tables.");
        assertThat(err.toString()).isEqualTo("warning: database.args: ignoring unknown key 'frob'"
                + System.lineSeparator());
    }

    @Test
    void noFiguresBeforeTheIntervalHasPassed() {
        tracker.copyPlanned(List.of(new PlannedTable("users", 0, 10, 1, false)));
        tracker.tableStarted("users", 0, 10);
        clock.advance(Duration.ofSeconds(4));
        view.tick();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void rendersOnItsOwnThread() throws Exception {
        tracker.phase("Checking");
        view.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (out.toString().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        view.close();
        assertThat(out.toString()).isEqualTo("2026-12-01 21:00:00 Checking..." + System.lineSeparator());
    }
}
