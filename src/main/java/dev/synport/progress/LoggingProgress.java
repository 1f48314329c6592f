package dev.synport.progress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the run's progress into the log: each phase, each table's start and result (rows
 * handled and time taken), warnings; every committed batch at DEBUG. Thread-safe.
 */
public final class LoggingProgress implements ProgressListener {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingProgress.class);

    private final Clock clock;
    private final Map<String, Table> tables = new ConcurrentHashMap<>();

    public LoggingProgress(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void phase(String description) {
        LOG.info("phase: {}", description);
    }

    @Override
    public void copyPlanned(List<PlannedTable> tables) {
        long before = tables.stream().mapToLong(PlannedTable::rowsBefore).sum();
        long toCopy = tables.stream().mapToLong(PlannedTable::rowsToCopy).sum();
        LOG.info("copy planned: {} tables, {} rows to copy this run, {} ported by earlier runs", tables.size(), toCopy,
                before);
        for (PlannedTable t : tables) {
            LOG.debug("planned {}: {} rows to copy from rowid {}, {} before this run{}", t.name(), t.rowsToCopy(),
                    t.resumeRowid(), t.rowsBefore(), t.indexesAfterCopy() ? ", indexes built after the copy" : "");
        }
    }

    @Override
    public void findingsRecorded(String table, long repaired, long rejected) {
        LOG.debug("table {}: {} values repaired, {} rows rejected in the last batch", table, repaired, rejected);
    }

    @Override
    public void indexesBuilding(String table, int count) {
        LOG.info("table {}: building {} indexes after its copy", table, count);
    }

    @Override
    public void sequencesSet(Map<String, Long> lastValues) {
        LOG.info("sequences set: {}", lastValues);
    }

    @Override
    public void tableStarted(String table, long done, long total) {
        tables.put(table, new Table(clock.instant()));
        LOG.info("table {}: started, {} to copy", table, ProgressText.count(total - done, "row"));
    }

    @Override
    public void rowsCommitted(String table, long rows, long bytes) {
        Table t = tables.get(table);
        long handled = t == null ? rows : t.add(rows);
        LOG.debug("table {}: {} more rows committed ({} this run)", table, rows, handled);
    }

    @Override
    public void tableFinished(String table) {
        Table t = tables.remove(table);
        if (t == null) {
            LOG.info("table {}: finished", table);
            return;
        }
        LOG.info("table {}: finished, {} handled this run in {} ms", table, ProgressText.count(t.handled(), "row"),
                Duration.between(t.started, clock.instant()).toMillis());
    }

    @Override
    public void warning(String message) {
        LOG.warn("{}", message);
    }

    /** One table's copy so far. */
    private static final class Table {
        private final Instant started;
        private long handled;

        Table(Instant started) {
            this.started = started;
        }

        synchronized long add(long rows) {
            handled += rows;
            return handled;
        }

        synchronized long handled() {
            return handled;
        }
    }
}
