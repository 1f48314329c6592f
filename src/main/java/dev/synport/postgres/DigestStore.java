package dev.synport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The table {@code port_from_sqlite3_digests}: each table's {@link CopyDigest}, written in the
 * transaction of each batch together with its checkpoint, so that it always describes exactly
 * the rows committed. It lets the verification at the end of a port read only PostgreSQL for
 * the rows this snapshot state gave, and the next run tell the rows behind each checkpoint
 * unchanged. Kept after the port, beside {@code port_from_sqlite3}; removed by a run without
 * the verification (which would not keep it up to date). Synapse's own script does not know
 * it: a digest whose end is not the table's checkpoint is ignored. A digest may carry the hash
 * of the snapshot's stored records of the rows it covers, which proves those rows unchanged in
 * a newer snapshot without reading them through SQLite; any new digest clears it. Every write
 * runs in the caller's transaction.
 */
public final class DigestStore {
    public static final String TABLE = "port_from_sqlite3_digests";

    public void ensureTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS port_from_sqlite3_digests ("
                    + " table_name text PRIMARY KEY,"
                    + " fingerprint text NOT NULL,"
                    + " from_forward_rowid bigint NOT NULL, from_backward_rowid bigint NOT NULL,"
                    + " to_forward_rowid bigint NOT NULL, to_backward_rowid bigint NOT NULL,"
                    + " row_count bigint NOT NULL, hash_sum bigint NOT NULL)");
            st.execute("ALTER TABLE port_from_sqlite3_digests ADD COLUMN IF NOT EXISTS record_hash bigint");
        }
    }

    /** Whether the table exists (an earlier port with the verification made it). */
    public boolean exists(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('port_from_sqlite3_digests') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    public Map<String, CopyDigest> readAll(Connection c) throws SQLException {
        Map<String, CopyDigest> all = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT table_name, fingerprint,"
                + " from_forward_rowid, from_backward_rowid, to_forward_rowid, to_backward_rowid, row_count, hash_sum"
                + " FROM port_from_sqlite3_digests")) {
            while (rs.next()) {
                all.put(rs.getString(1), new CopyDigest(rs.getString(2), new Checkpoint(rs.getLong(3), rs.getLong(4)),
                        new Checkpoint(rs.getLong(5), rs.getLong(6)), rs.getLong(7), rs.getLong(8)));
            }
        }
        return all;
    }

    /** Sets {@code table}'s digest, creating its row if needed; its record hash is cleared. */
    public void set(Connection c, String table, CopyDigest digest) throws SQLException {
        set(c, table, digest, null);
    }

    /**
     * Sets {@code table}'s digest and the hash of the snapshot's stored records of the rows it
     * covers ({@code null}: unknown), as {@code dev.synport.sqlite.RecordHash} gives it.
     */
    public void set(Connection c, String table, CopyDigest digest, Long recordHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO port_from_sqlite3_digests (table_name,"
                + " fingerprint, from_forward_rowid, from_backward_rowid, to_forward_rowid, to_backward_rowid,"
                + " row_count, hash_sum, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET"
                + " fingerprint = excluded.fingerprint, from_forward_rowid = excluded.from_forward_rowid,"
                + " from_backward_rowid = excluded.from_backward_rowid, to_forward_rowid = excluded.to_forward_rowid,"
                + " to_backward_rowid = excluded.to_backward_rowid, row_count = excluded.row_count,"
                + " hash_sum = excluded.hash_sum, record_hash = excluded.record_hash")) {
            ps.setString(1, table);
            ps.setString(2, digest.snapshot());
            ps.setLong(3, digest.from().forwardRowid());
            ps.setLong(4, digest.from().backwardRowid());
            ps.setLong(5, digest.to().forwardRowid());
            ps.setLong(6, digest.to().backwardRowid());
            ps.setLong(7, digest.rows());
            ps.setLong(8, digest.hashSum());
            ps.setObject(9, recordHash, java.sql.Types.BIGINT);
            ps.executeUpdate();
        }
    }

    /** The record hash of each table's digest that has one. */
    public Map<String, Long> readRecordHashes(Connection c) throws SQLException {
        Map<String, Long> all = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM pg_attribute"
                + " WHERE attrelid = to_regclass('port_from_sqlite3_digests') AND attname = 'record_hash'")) {
            if (!rs.next()) {
                return all; // a digest table of an earlier release, without record hashes
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT table_name, record_hash"
                + " FROM port_from_sqlite3_digests WHERE record_hash IS NOT NULL")) {
            while (rs.next()) {
                all.put(rs.getString(1), rs.getLong(2));
            }
        }
        return all;
    }

    /** Removes {@code table}'s digest: its rows are no longer the ones read. */
    public void delete(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM port_from_sqlite3_digests WHERE table_name = ?")) {
            ps.setString(1, table);
            ps.executeUpdate();
        }
    }

    /** Removes the table (a run without the verification, which would not keep the digests up to date). */
    public void drop(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS port_from_sqlite3_digests");
        }
    }
}
