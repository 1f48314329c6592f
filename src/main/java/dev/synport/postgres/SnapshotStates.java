package dev.synport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which state of the snapshot each append-only table is being copied from, while a port is
 * unfinished: the table {@code port_from_sqlite3_snapshots} holds, per table, the snapshot's
 * fingerprint and the checkpoint from which rows were read from it. An append-only table
 * resumes from its checkpoint, which is only sound if the rows behind it came from a complete
 * state of the database; a run that read a snapshot while it changed (and failed for it), or
 * was stopped before it could tell, leaves rows that may mix two states. The next run, seeing
 * another fingerprint, copies such a table again from its start if it moved on from the
 * recorded checkpoint. The table is removed when a port ends. Every write runs in the
 * caller's transaction.
 */
public final class SnapshotStates {
    public static final String TABLE = "port_from_sqlite3_snapshots";
    /** Records a table's state, unless it already has this one (whose checkpoint is older). */
    private static final String UPSERT = "INSERT INTO port_from_sqlite3_snapshots"
            + " (table_name, fingerprint, forward_rowid, backward_rowid) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (table_name) DO UPDATE SET fingerprint = excluded.fingerprint,"
            + " forward_rowid = excluded.forward_rowid, backward_rowid = excluded.backward_rowid"
            + " WHERE port_from_sqlite3_snapshots.fingerprint <> excluded.fingerprint";

    public void ensureTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS port_from_sqlite3_snapshots ("
                    + " table_name text PRIMARY KEY,"
                    + " fingerprint text NOT NULL,"
                    + " forward_rowid bigint NOT NULL,"
                    + " backward_rowid bigint NOT NULL)");
        }
    }

    /**
     * The tables that an unfinished run copied rows into from another state than
     * {@code fingerprint}: recorded with another fingerprint, and their checkpoint in
     * {@code checkpoints} is no longer the recorded one.
     */
    public Set<String> copiedFromAnotherState(Connection c, String fingerprint, Map<String, Checkpoint> checkpoints)
            throws SQLException {
        Set<String> tables = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, forward_rowid, backward_rowid"
                + " FROM port_from_sqlite3_snapshots WHERE fingerprint <> ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Checkpoint recorded = new Checkpoint(rs.getLong(2), rs.getLong(3));
                    Checkpoint now = checkpoints.get(rs.getString(1));
                    if (now != null && !now.equals(recorded)) {
                        tables.add(rs.getString(1));
                    }
                }
            }
        }
        return tables;
    }

    /**
     * Records, in one round trip, that each table's rows from its checkpoint in {@code from} on
     * are read from the snapshot state {@code fingerprint}; an earlier record of the same state
     * stays (its checkpoint is older).
     */
    public void record(Connection c, Map<String, Checkpoint> from, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<String, Checkpoint> e : from.entrySet()) {
                bind(ps, e.getKey(), fingerprint, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Records that {@code table}'s rows come from no known state of the snapshot (a verification
     * found them different): the next run copies it again from its start, with the tables that
     * reference it, whatever its checkpoint. One statement, so that its error reads as
     * PostgreSQL's, not as a batch's.
     */
    public void forget(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            bind(ps, table, "", new Checkpoint(Long.MIN_VALUE, Long.MIN_VALUE));
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, String table, String fingerprint, Checkpoint from)
            throws SQLException {
        ps.setString(1, table);
        ps.setString(2, fingerprint);
        ps.setLong(3, from.forwardRowid());
        ps.setLong(4, from.backwardRowid());
    }

    /** Removes the table: the port is finished, every table came from one unchanged state. */
    public void drop(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS port_from_sqlite3_snapshots");
        }
    }
}
