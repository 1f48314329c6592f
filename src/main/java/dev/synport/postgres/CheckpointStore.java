package dev.synport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracking table {@code port_from_sqlite3}, shared with Synapse's own port script so that
 * either tool resumes the other's port. Every write runs in the caller's transaction.
 */
public final class CheckpointStore {
    public static final String TABLE = "port_from_sqlite3";
    private static final String UPDATE =
            "UPDATE port_from_sqlite3 SET forward_rowid = ?, backward_rowid = ? WHERE table_name = ?";
    private static final String INSERT =
            "INSERT INTO port_from_sqlite3 (forward_rowid, backward_rowid, table_name) VALUES (?, ?, ?)";

    /** Creates the table if needed, upgrading the old one-column layout as the official script does. */
    public void ensureTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS port_from_sqlite3 ("
                    + " table_name varchar(100) NOT NULL UNIQUE,"
                    + " forward_rowid bigint NOT NULL,"
                    + " backward_rowid bigint NOT NULL)");
        }
    }

    /** Upgrades a tracking table written by a very old port script (a single {@code rowid} column). */
    public void upgradeLegacy(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'rowid'")) {
            ps.setString(1, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE port_from_sqlite3 RENAME rowid TO forward_rowid");
            st.execute("ALTER TABLE port_from_sqlite3 ADD backward_rowid bigint NOT NULL DEFAULT 0");
        }
    }

    public Map<String, Checkpoint> readAll(Connection c) throws SQLException {
        Map<String, Checkpoint> all = new HashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT table_name, forward_rowid, backward_rowid FROM port_from_sqlite3")) {
            while (rs.next()) {
                all.put(rs.getString(1), new Checkpoint(rs.getLong(2), rs.getLong(3)));
            }
        }
        return all;
    }

    /** Sets a table's checkpoint, creating its row if needed. */
    public void set(Connection c, String table, Checkpoint checkpoint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            bind(ps, table, checkpoint);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, table, checkpoint);
            ps.executeUpdate();
        }
    }

    /**
     * Sets each table's checkpoint, creating its row if needed, in two round trips at most (a
     * run's plan; a failure there is reported as a batch's, which the copy's own, one table at
     * a time, never is).
     */
    public void setAll(Connection c, Map<String, Checkpoint> checkpoints) throws SQLException {
        List<Map.Entry<String, Checkpoint>> entries = new ArrayList<>(checkpoints.entrySet());
        List<Map.Entry<String, Checkpoint>> missing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            for (Map.Entry<String, Checkpoint> e : entries) {
                bind(ps, e.getKey(), e.getValue());
                ps.addBatch();
            }
            int[] updated = ps.executeBatch();
            for (int i = 0; i < updated.length; i++) {
                if (updated[i] != 1) {
                    missing.add(entries.get(i));
                }
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Map.Entry<String, Checkpoint> e : missing) {
                bind(ps, e.getKey(), e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Binds {@link #UPDATE}'s and {@link #INSERT}'s parameters, which come in the same order. */
    private static void bind(PreparedStatement ps, String table, Checkpoint checkpoint) throws SQLException {
        ps.setLong(1, checkpoint.forwardRowid());
        ps.setLong(2, checkpoint.backwardRowid());
        ps.setString(3, table);
    }
}
