package dev.synport.cli;

import dev.synport.progress.ProgressListener;
import java.io.PrintWriter;

/**
 * Feeds every progress event to the log and to the view the user watches; warnings go to the
 * log and to stderr (diagnostics never mix with the progress and summary on stdout).
 */
final class ProgressFanOut implements ProgressListener {
    private final ProgressListener log;
    private final ProgressListener view;
    private final PrintWriter err;

    ProgressFanOut(ProgressListener log, ProgressListener view, PrintWriter err) {
        this.log = log;
        this.view = view;
        this.err = err;
    }

    @Override
    public void phase(String description) {
        log.phase(description);
        view.phase(description);
    }

    @Override
    public void tableStarted(String table, long done, long total) {
        log.tableStarted(table, done, total);
        view.tableStarted(table, done, total);
    }

    @Override
    public void rowsCommitted(String table, long rows) {
        log.rowsCommitted(table, rows);
        view.rowsCommitted(table, rows);
    }

    @Override
    public void tableFinished(String table) {
        log.tableFinished(table);
        view.tableFinished(table);
    }

    @Override
    public void warning(String message) {
        log.warning(message);
        synchronized (err) {
            err.println("warning: " + message);
            err.flush();
        }
    }
}
