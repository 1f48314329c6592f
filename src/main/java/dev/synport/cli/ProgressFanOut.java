package dev.synport.cli;

import dev.synport.progress.PlannedTable;
import dev.synport.progress.ProgressListener;
import java.util.List;
import java.util.Map;

/** Feeds every progress event to the log and to the tracker the user's view reads. */
final class ProgressFanOut implements ProgressListener {
    private final ProgressListener log;
    private final ProgressListener view;

    ProgressFanOut(ProgressListener log, ProgressListener view) {
        this.log = log;
        this.view = view;
    }

    @Override
    public void phase(String description) {
        log.phase(description);
        view.phase(description);
    }

    @Override
    public void copyPlanned(List<PlannedTable> tables) {
        log.copyPlanned(tables);
        view.copyPlanned(tables);
    }

    @Override
    public void verificationPlanned() {
        log.verificationPlanned();
        view.verificationPlanned();
    }

    @Override
    public void tableStarted(String table, long done, long total) {
        log.tableStarted(table, done, total);
        view.tableStarted(table, done, total);
    }

    @Override
    public void rowsCommitted(String table, long rows, long bytes) {
        log.rowsCommitted(table, rows, bytes);
        view.rowsCommitted(table, rows, bytes);
    }

    @Override
    public void findingsRecorded(String table, long repaired, long rejected) {
        log.findingsRecorded(table, repaired, rejected);
        view.findingsRecorded(table, repaired, rejected);
    }

    @Override
    public void indexesBuilding(String table, int count) {
        log.indexesBuilding(table, count);
        view.indexesBuilding(table, count);
    }

    @Override
    public void tableFinished(String table) {
        log.tableFinished(table);
        view.tableFinished(table);
    }

    @Override
    public void copyFinished() {
        log.copyFinished();
        view.copyFinished();
    }

    @Override
    public void sequencesSet(Map<String, Long> lastValues) {
        log.sequencesSet(lastValues);
        view.sequencesSet(lastValues);
    }

    @Override
    public void warning(String message) {
        log.warning(message);
        view.warning(message);
    }
}
