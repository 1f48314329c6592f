package dev.synport.sqlite;

import java.util.List;

/**
 * A table of the snapshot as SQLite describes it.
 *
 * @param virtual a virtual table (FTS); its shadow tables are separate entries
 * @param hasRowid false for {@code WITHOUT ROWID} tables, which cannot be read by rowid
 */
public record SourceTable(String name, List<String> columns, boolean virtual, boolean hasRowid) {
    public SourceTable {
        columns = List.copyOf(columns);
    }
}
