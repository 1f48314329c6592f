package dev.synport.schema;

import java.util.List;
import java.util.Optional;

/** A table as its SQLite {@code CREATE TABLE} declares it. */
record TableDef(String name, List<Column> columns, List<Constraint> constraints) {
    TableDef {
        columns = List.copyOf(columns);
        constraints = List.copyOf(constraints);
    }

    /**
     * A column. {@code type} is the declared type as written (upper-cased, spaces normalised),
     * empty if none; {@code defaultValue} the default expression's source text.
     */
    record Column(String name, String type, boolean notNull, Optional<String> defaultValue) {}

    enum Kind { PRIMARY_KEY, UNIQUE, FOREIGN_KEY, CHECK }

    /**
     * A constraint, from a column or the table. {@code columns} are the constrained columns
     * (for a CHECK, the column it was declared on, if any); {@code body} the CHECK expression
     * or the text after {@code REFERENCES}.
     */
    record Constraint(Kind kind, Optional<String> name, List<String> columns, String body, boolean autoincrement) {
        Constraint {
            columns = List.copyOf(columns);
        }
    }

    Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
    }
}
