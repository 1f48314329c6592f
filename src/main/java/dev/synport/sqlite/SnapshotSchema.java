package dev.synport.sqlite;

import java.util.Map;
import java.util.Optional;

/**
 * What the snapshot holds: its Synapse schema version, its tables, and the AUTOINCREMENT
 * counters of {@code sqlite_sequence}.
 */
public record SnapshotSchema(int schemaVersion, Map<String, SourceTable> tables, Map<String, Long> autoincrement) {
    public SnapshotSchema {
        tables = Map.copyOf(tables);
        autoincrement = Map.copyOf(autoincrement);
    }

    public Optional<SourceTable> table(String name) {
        return Optional.ofNullable(tables.get(name));
    }

    public boolean hasColumn(String table, String column) {
        return table(table).map(t -> t.columns().stream().anyMatch(c -> c.equalsIgnoreCase(column))).orElse(false);
    }
}
