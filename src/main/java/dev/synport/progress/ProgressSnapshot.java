package dev.synport.progress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything a view shows, taken at one instant; immutable, so a view renders it on its own
 * thread without touching the copy threads.
 *
 * @param phase what the port does now, e.g. "Copying 142 tables" or "Building indexes"
 * @param elapsed since the run started
 * @param fraction 0 to 1, the whole run's work including the phases after the copy
 * @param eta the remaining time, once a rate is known
 * @param rowsDone rows handled so far by this run
 * @param rowsTotal rows this run handles in all, known from the start of the copy and never growing
 * @param tables running tables first, then waiting ones, then finished ones
 * @param logFile where the full log goes, when there is one
 */
public record ProgressSnapshot(
        String phase,
        Duration elapsed,
        double fraction,
        Optional<Duration> eta,
        long rowsDone,
        long rowsTotal,
        long bytesDone,
        double rowsPerSecond,
        double bytesPerSecond,
        long repaired,
        long rejected,
        List<TableProgress> tables,
        Optional<Path> logFile) {

    public ProgressSnapshot {
        tables = List.copyOf(tables);
    }
}
