package dev.synport.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One value the port could not copy as it was.
 *
 * @param rowid the SQLite rowid of the row
 * @param column the column the finding is about, or null for the whole row
 * @param original the value as SQLite held it: a String, Long, Double, byte[] or null
 * @param key the row's key as SQLite held it (the target table's primary key, or else its
 *     narrowest unique key: column to value, in key order), empty when the table has none
 */
public record Finding(String table, long rowid, String column, Action action, String reason, Object original,
        Map<String, Object> key) {
    /** What happened to the row. */
    public enum Action {
        /** The value was changed as described and the row copied. */
        REPAIRED,
        /** The row was not copied. */
        REJECTED
    }

    public Finding {
        // values may be NULL (a unique key's column), so not Map.copyOf
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
    }

    /** A finding whose row is known by its rowid only (until {@link #withKey}). */
    public Finding(String table, long rowid, String column, Action action, String reason, Object original) {
        this(table, rowid, column, action, reason, original, Map.of());
    }

    public Finding withKey(Map<String, Object> rowKey) {
        return new Finding(table, rowid, column, action, reason, original, rowKey);
    }
}
