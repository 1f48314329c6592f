package dev.synport.progress;

import java.util.List;
import java.util.Map;

/**
 * What the port tells whoever shows its progress. Called from several worker threads. The
 * methods with a default do nothing, so that a listener implements only what it needs.
 */
public interface ProgressListener {
    /** A new phase ("Checking the snapshot", "Copying tables", ...). */
    void phase(String description);

    /**
     * Before the first table starts: every table this run copies, with its row counts, so that
     * the run's total is known from the start and never grows.
     */
    default void copyPlanned(List<PlannedTable> tables) {}

    /** Before the copy is planned: the run ends with the comparison of every table (part of the ETA). */
    default void verificationPlanned() {}

    /** A table is about to be copied: {@code done} rows already ported, {@code total} expected in all. */
    void tableStarted(String table, long done, long total);

    /** {@code rows} more rows of the table are committed, {@code bytes} of COPY data with them. */
    void rowsCommitted(String table, long rows, long bytes);

    /** Values of the table were repaired or rows rejected (they are in the report). */
    default void findingsRecorded(String table, long repaired, long rejected) {}

    /** The table's rows are in; its {@code count} deferred indexes are being built. */
    default void indexesBuilding(String table, int count) {}

    /** The table is fully copied. */
    void tableFinished(String table);

    /** Every table is copied; the checks after the copy follow. */
    default void copyFinished() {}

    /** The sequences were set, each to the value Synapse reads as its current position. */
    default void sequencesSet(Map<String, Long> lastValues) {}

    /** A warning the user should see (not an error: the port goes on). */
    void warning(String message);
}
