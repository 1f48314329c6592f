package dev.synport.sqlite;

import java.util.List;
import java.util.Set;

/**
 * The snapshot's own schema as SQLite stores it: the {@code sqlite_master} entries in the
 * order they were created, its Synapse schema version and the schema deltas it records.
 */
public record SnapshotDdl(int schemaVersion, List<Entry> entries, Set<String> appliedDeltas) {
    public SnapshotDdl {
        entries = List.copyOf(entries);
        appliedDeltas = Set.copyOf(appliedDeltas);
    }

    /** One {@code sqlite_master} row; {@code sql} is empty for automatic indexes. */
    public record Entry(String type, String name, String table, String sql) {}

    /** Whether {@code applied_schema_deltas} holds the file, e.g. {@code 73/03users_approved_column.sql}. */
    public boolean hasDelta(String delta) {
        return appliedDeltas.contains(delta);
    }
}
