package dev.synport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
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
 * a newer snapshot without reading them through SQLite (a different digest clears it), and what
 * the last verification saw of the table in PostgreSQL. Every write runs in the caller's
 * transaction.
 */
public final class DigestStore {
    public static final String TABLE = "port_from_sqlite3_digests";
    /** In an upsert: whether the digest written starts where the one the row holds does. */
    private static final String SAME_START = "(d.from_forward_rowid, d.from_backward_rowid)"
            + " = (excluded.from_forward_rowid, excluded.from_backward_rowid)";
    /** In an upsert: whether the digest written is the one the row holds. */
    private static final String SAME = "(d.fingerprint, d.from_forward_rowid, d.from_backward_rowid,"
            + " d.to_forward_rowid, d.to_backward_rowid, d.row_count, d.hash_sum) = (excluded.fingerprint,"
            + " excluded.from_forward_rowid, excluded.from_backward_rowid, excluded.to_forward_rowid,"
            + " excluded.to_backward_rowid, excluded.row_count, excluded.hash_sum)";
    /** Sets a table's digest and record hash; see {@link #set} and {@link #setAll}. */
    private static final String UPSERT = "INSERT INTO port_from_sqlite3_digests AS d (table_name,"
            + " fingerprint, from_forward_rowid, from_backward_rowid, to_forward_rowid, to_backward_rowid,"
            + " row_count, hash_sum, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (table_name) DO UPDATE SET"
            + " fingerprint = excluded.fingerprint, from_forward_rowid = excluded.from_forward_rowid,"
            + " from_backward_rowid = excluded.from_backward_rowid, to_forward_rowid = excluded.to_forward_rowid,"
            + " to_backward_rowid = excluded.to_backward_rowid, row_count = excluded.row_count,"
            + " hash_sum = excluded.hash_sum,"
            // the same digest again keeps what was known of it
            + " record_hash = CASE WHEN " + SAME + " THEN coalesce(excluded.record_hash, d.record_hash)"
            + " ELSE excluded.record_hash END,"
            // a digest that grew (or was proven to hold for a newer snapshot) from the same start
            // keeps its verification: the rows it saw then are still the first of the digest's
            + " verified_rows = CASE WHEN " + SAME_START + " THEN d.verified_rows END,"
            + " verified_xmin = CASE WHEN " + SAME_START + " THEN d.verified_xmin END,"
            + " verified_hash_sum = CASE WHEN " + SAME_START + " THEN d.verified_hash_sum END";

    /**
     * What a verification that found a table equal to its digest (one from the table's start)
     * saw of it in PostgreSQL: its rows, the oldest transaction still running when it read them
     * ({@code pg_snapshot_xmin}, as a 32-bit xid), and the digest's hash sum then. Every row
     * written since has a newer row version, so a later run that finds as many older rows knows
     * those unchanged, and need read only the newer ones.
     */
    public record Verified(long rows, long xmin, long hashSum) {}

    public void ensureTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS port_from_sqlite3_digests ("
                    + " table_name text PRIMARY KEY,"
                    + " fingerprint text NOT NULL,"
                    + " from_forward_rowid bigint NOT NULL, from_backward_rowid bigint NOT NULL,"
                    + " to_forward_rowid bigint NOT NULL, to_backward_rowid bigint NOT NULL,"
                    + " row_count bigint NOT NULL, hash_sum bigint NOT NULL)");
            st.execute("ALTER TABLE port_from_sqlite3_digests ADD COLUMN IF NOT EXISTS record_hash bigint,"
                    + " ADD COLUMN IF NOT EXISTS verified_rows bigint, ADD COLUMN IF NOT EXISTS verified_xmin bigint,"
                    + " ADD COLUMN IF NOT EXISTS verified_hash_sum bigint");
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

    /**
     * Sets {@code table}'s digest, creating its row if needed; unless it is the digest the row
     * holds, its record hash is cleared, and its verification unless it starts where that did.
     */
    public void set(Connection c, String table, CopyDigest digest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            bind(ps, table, digest, null);
            ps.executeUpdate();
        }
    }

    /**
     * Sets each table's digest of {@code digests}, in one round trip, with the hash of the
     * snapshot's stored records of the rows it covers from {@code recordHashes} (none there:
     * unknown, or the one known if the digest is the same), as
     * {@code dev.synport.sqlite.RecordHash} gives it; a table's verification is cleared unless
     * its digest starts where the earlier one did.
     */
    public void setAll(Connection c, Map<String, CopyDigest> digests, Map<String, Long> recordHashes)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<String, CopyDigest> e : digests.entrySet()) {
                bind(ps, e.getKey(), e.getValue(), recordHashes.get(e.getKey()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bind(PreparedStatement ps, String table, CopyDigest digest, Long recordHash)
            throws SQLException {
        ps.setString(1, table);
        ps.setString(2, digest.snapshot());
        ps.setLong(3, digest.from().forwardRowid());
        ps.setLong(4, digest.from().backwardRowid());
        ps.setLong(5, digest.to().forwardRowid());
        ps.setLong(6, digest.to().backwardRowid());
        ps.setLong(7, digest.rows());
        ps.setLong(8, digest.hashSum());
        ps.setObject(9, recordHash, Types.BIGINT);
    }

    /** Sets the record hash of {@code table}'s digest, leaving the rest of it as it is. */
    public void setRecordHash(Connection c, String table, long recordHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE port_from_sqlite3_digests SET record_hash = ?"
                + " WHERE table_name = ?")) {
            ps.setLong(1, recordHash);
            ps.setString(2, table);
            ps.executeUpdate();
        }
    }

    /** Records what a verification that found {@code table} equal saw of it. */
    public void setVerified(Connection c, String table, Verified verified) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE port_from_sqlite3_digests SET verified_rows = ?,"
                + " verified_xmin = ?, verified_hash_sum = ? WHERE table_name = ?")) {
            ps.setLong(1, verified.rows());
            ps.setLong(2, verified.xmin());
            ps.setLong(3, verified.hashSum());
            ps.setString(4, table);
            ps.executeUpdate();
        }
    }

    /** What the last verification saw of each table whose digest has the same start since. */
    public Map<String, Verified> readVerified(Connection c) throws SQLException {
        Map<String, Verified> all = new HashMap<>();
        if (hasColumns(c)) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT table_name, verified_rows,"
                    + " verified_xmin, verified_hash_sum FROM port_from_sqlite3_digests"
                    + " WHERE verified_hash_sum IS NOT NULL")) {
                while (rs.next()) {
                    all.put(rs.getString(1), new Verified(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        return all;
    }

    /** Whether the table has the columns added after its first release (record hashes, verifications). */
    private static boolean hasColumns(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM pg_attribute"
                + " WHERE attrelid = to_regclass('port_from_sqlite3_digests') AND attname = 'verified_hash_sum'")) {
            return rs.next();
        }
    }

    /** The record hash of each table's digest that has one. */
    public Map<String, Long> readRecordHashes(Connection c) throws SQLException {
        Map<String, Long> all = new HashMap<>();
        if (!hasColumns(c)) {
            return all; // a digest table of an earlier release
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
