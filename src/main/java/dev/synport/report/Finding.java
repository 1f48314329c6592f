package dev.synport.report;

/**
 * One value the port could not copy as it was.
 *
 * @param rowid the SQLite rowid of the row
 * @param column the column the finding is about, or null for the whole row
 * @param original the value as SQLite held it: a String, Long, Double, byte[] or null
 */
public record Finding(String table, long rowid, String column, Action action, String reason, Object original) {
    /** What happened to the row. */
    public enum Action {
        /** The value was changed as described and the row copied. */
        REPAIRED,
        /** The row was not copied. */
        REJECTED
    }
}
