package dev.synport.postgres;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A table of the target schema with its columns in table order. */
public record TargetTable(String name, List<TargetColumn> columns) {
    public TargetTable {
        columns = List.copyOf(columns);
    }

    /** The column SQLite calls {@code name}: PostgreSQL folds unquoted names to lower case. */
    public Optional<TargetColumn> column(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return columns.stream().filter(c -> c.name().equals(name) || c.name().equals(wanted)).findFirst();
    }
}
