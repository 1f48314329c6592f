package dev.synport.postgres;

import dev.synport.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a large table's plain (non-unique) indexes after its rows are in, as pg_restore
 * does, instead of maintaining them row by row. The definitions of dropped indexes are kept
 * in the ledger table {@code port_from_sqlite3_deferred_indexes}, in the same transaction as
 * the drop, so that a run killed in between rebuilds them on the next run. Unique indexes and
 * indexes behind constraints stay: they guard the data while it arrives. The ledger is
 * removed once it is empty.
 */
public final class DeferredIndexes {
    public static final String LEDGER = "port_from_sqlite3_deferred_indexes";
    private static final String PLAIN_INDEXES = """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ? AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname""";

    private final long threshold;

    /** @param threshold rows to copy into an empty table from which its indexes are deferred */
    public DeferredIndexes(long threshold) {
        this.threshold = threshold;
    }

    /** Creates the ledger if needed, in the caller's transaction (once per run, before the copy). */
    public void ensureLedger(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + LEDGER + " (index_name text PRIMARY KEY,"
                    + " table_name text NOT NULL, definition text NOT NULL)");
        }
    }

    /**
     * Drops the table's plain indexes (recording them) when it is empty and {@code rows} are
     * about to arrive; returns how many were dropped.
     */
    public int deferIfWorthIt(Connection c, String table, long rows, LockGuard guard) throws SQLException {
        if (rows < threshold || !isEmpty(c, table)) {
            return 0;
        }
        List<String[]> indexes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PLAIN_INDEXES)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        if (indexes.isEmpty()) {
            return 0;
        }
        return Transaction.run(c, guard, () -> {
            try (Statement st = c.createStatement()) {
                for (String[] index : indexes) {
                    enqueue(c, index[0], table, index[1]);
                    st.execute("DROP INDEX " + Identifiers.quote(index[0]));
                }
            }
            return indexes.size();
        });
    }

    /**
     * Records an index to build once {@code table} is copied, in the caller's transaction
     * (with the drop of the index, or with the creation of a schema that leaves it for later).
     */
    public void enqueue(Connection c, String index, String table, String definition) throws SQLException {
        try (PreparedStatement record = c.prepareStatement(
                "INSERT INTO " + LEDGER + " (index_name, table_name, definition) VALUES (?, ?, ?)")) {
            record.setString(1, index);
            record.setString(2, table);
            record.setString(3, definition);
            record.executeUpdate();
        }
    }

    /** Names of the table's indexes waiting to be rebuilt (by this run or an interrupted one). */
    public List<String> pending(Connection c, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        if (!ledgerExists(c)) {
            return names;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT index_name FROM " + LEDGER + " WHERE table_name = ? ORDER BY index_name")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** Rebuilds the table's deferred indexes, each in its own transaction with its ledger row. */
    public void rebuild(Connection c, String table, LockGuard guard) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET maintenance_work_mem = '256MB'");
        }
        for (String name : pending(c, table)) {
            Transaction.run(c, guard, () -> {
                try (PreparedStatement get = c.prepareStatement(
                        "DELETE FROM " + LEDGER + " WHERE index_name = ? RETURNING definition");
                        Statement st = c.createStatement()) {
                    get.setString(1, name);
                    try (ResultSet rs = get.executeQuery()) {
                        rs.next();
                        st.execute(rs.getString(1));
                    }
                }
                return null;
            });
        }
    }

    /** Builds whatever is still waiting, for tables the port does not copy (or a run that stopped). */
    public void rebuildAll(Connection c, LockGuard guard) throws SQLException {
        if (!ledgerExists(c)) {
            return;
        }
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT DISTINCT table_name FROM " + LEDGER + " ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String table : tables) {
            rebuild(c, table, guard);
        }
    }

    /** Drops the ledger if nothing is waiting in it any more. */
    public void dropLedgerIfEmpty(Connection c) throws SQLException {
        if (!ledgerExists(c)) {
            return;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + LEDGER)) {
            rs.next();
            if (rs.getLong(1) > 0) {
                return;
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE " + LEDGER);
        }
    }

    private static boolean ledgerExists(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('" + LEDGER + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static boolean isEmpty(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + Identifiers.quote(table) + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
