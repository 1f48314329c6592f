package dev.synport;

/** Quoting of SQL identifiers: table and column names come from the snapshot and are untrusted. */
public final class Identifiers {
    private Identifiers() {}

    /** {@code name} as a double-quoted identifier, valid in both SQLite and PostgreSQL. */
    public static String quote(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code value} as a single-quoted SQL string literal. */
    public static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
