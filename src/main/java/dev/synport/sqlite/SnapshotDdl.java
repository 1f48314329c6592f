package dev.synport.sqlite;

import java.util.List;

/**
 * The snapshot's own schema as SQLite stores it: the {@code sqlite_master} entries in the
 * order they were created, its Synapse schema version ({@code upgraded} as in
 * {@code schema_version}) and the schema deltas it records.
 */
public record SnapshotDdl(int schemaVersion, boolean upgraded, List<Entry> entries, List<Delta> appliedDeltas) {
    public SnapshotDdl {
        entries = List.copyOf(entries);
        appliedDeltas = List.copyOf(appliedDeltas);
    }

    /** One row of {@code applied_schema_deltas}: e.g. 73 and {@code 73/03users_approved_column.sql}. */
    public record Delta(int version, String file) {}

    /** One {@code sqlite_master} row; {@code sql} is empty for automatic indexes. */
    public record Entry(String type, String name, String table, String sql) {}

    /** Whether {@code applied_schema_deltas} holds the file, e.g. {@code 73/03users_approved_column.sql}. */
    public boolean hasDelta(String delta) {
        return appliedDeltas.stream().anyMatch(d -> d.file().equals(delta));
    }
}
