package dev.synport.postgres;

/**
 * A table's position in {@code port_from_sqlite3}: the next rowid to copy going forwards,
 * and the next going backwards (rowids can be zero or negative).
 */
public record Checkpoint(long forwardRowid, long backwardRowid) {
    public static final Checkpoint START = new Checkpoint(1, 0);
}
