package dev.synport.progress;

/** What the port tells whoever shows its progress. Called from several worker threads. */
public interface ProgressListener {
    /** A new phase ("Checking the snapshot", "Copying tables", ...). */
    void phase(String description);

    /** A table is about to be copied: {@code done} rows already ported, {@code total} expected in all. */
    void tableStarted(String table, long done, long total);

    /** {@code rows} more rows of the table are committed. */
    void rowsCommitted(String table, long rows);

    /** The table is fully copied. */
    void tableFinished(String table);

    /** A warning the user should see (not an error: the port goes on). */
    void warning(String message);
}
