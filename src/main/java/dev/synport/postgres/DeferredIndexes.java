package dev.synport.postgres;

import dev.synport.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.util.PSQLException;

/**
 * Builds a large table's indexes and constraints after its rows are in, as pg_restore does,
 * instead of maintaining them row by row: its plain indexes, its unique indexes and UNIQUE
 * constraints, and its foreign keys (with those of other, still empty tables that need one of
 * its unique indexes). Each definition dropped is kept in the ledger table
 * {@code port_from_sqlite3_deferred_indexes}, in the same transaction as the drop, so that a
 * run killed in between builds it on the next run; with it, for a unique index or a foreign
 * key, the condition selecting the rows it would refuse (the later duplicates, by
 * {@code ctid}, or the rows whose reference points at nothing), which are removed only if
 * building it fails for them. Primary keys and exclusion constraints stay, and so do a
 * foreign key into its own table and a MATCH FULL one. Indexes and unique constraints are
 * built before foreign keys. The ledger is removed once it is empty.
 */
public final class DeferredIndexes {
    public static final String LEDGER = "port_from_sqlite3_deferred_indexes";
    private static final String PLAIN_INDEXES = """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ?::regclass AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname""";
    /** Unique indexes, with their UNIQUE constraint if they have one; none a key or a reference into the table uses. */
    private static final String UNIQUE_INDEXES = """
            SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid), x.indexrelid,
                   x.indnkeyatts, pg_get_expr(x.indpred, x.indrelid),
                   coalesce((to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, false)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype = 'u'
            WHERE x.indrelid = ?::regclass AND x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint o WHERE o.conindid = x.indexrelid
                              AND o.conrelid = x.indrelid AND o.contype <> 'u')
            ORDER BY i.relname""";
    /** Foreign keys into another table: the table's own ({@code conrelid}), or those needing an index ({@code conindid}). */
    private static final String FOREIGN_KEYS = """
            SELECT f.conname, t.relname, pg_get_constraintdef(f.oid), f.confrelid::regclass::text,
                   f.confmatchtype = 'f' OR t.relnamespace <> current_schema()::regnamespace,
                   (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum),
                   (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(f.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum)
            FROM pg_constraint f
            JOIN pg_class t ON t.oid = f.conrelid
            WHERE f.contype = 'f' AND f.conrelid <> f.confrelid AND %s
            ORDER BY t.relname, f.conname""";
    /** Ledger phases: indexes and unique constraints, then the foreign keys that may need them. */
    private static final int INDEXES = 0;
    private static final int FOREIGN_KEY = 1;

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23503";
    /** A foreign key whose referenced columns have no unique index (yet). */
    private static final String INVALID_FOREIGN_KEY = "42830";

    private final long threshold;

    /** Removes the rows a deferred unique index or foreign key refuses, before it is built again. */
    @FunctionalInterface
    public interface Removals {
        /**
         * Called in the transaction that builds {@code name} on {@code table}: deletes the rows
         * {@code refused} (a condition on the table's rows, which names it by its quoted name)
         * selects, accounting for them.
         */
        void remove(Connection c, String table, String name, boolean foreignKey, String refused)
                throws SQLException;
    }

    /**
     * One definition to build later, the condition selecting the rows it would refuse (or
     * null), its phase, and the statement that drops it now.
     */
    private record Deferred(String name, String table, String definition, String refused, int phase, String drop) {}

    /**
     * A unique index: its name and definition, its UNIQUE constraint's name and definition (or
     * null), its oid, how many key columns it has, its predicate (or null), and whether it
     * treats NULLs as equal.
     */
    private record Unique(String name, String definition, String constraint, String constraintDefinition, long oid,
            int keys, String predicate, boolean nullsEqual) {}

    /** @param threshold rows to copy into an empty table from which its indexes are deferred */
    public DeferredIndexes(long threshold) {
        this.threshold = threshold;
    }

    /** Creates the ledger if needed, in the caller's transaction (once per run, before the copy). */
    public void ensureLedger(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + LEDGER + " (index_name text PRIMARY KEY,"
                    + " table_name text NOT NULL, definition text NOT NULL)");
            st.execute("ALTER TABLE " + LEDGER + " ADD COLUMN IF NOT EXISTS refused text,"
                    + " ADD COLUMN IF NOT EXISTS phase smallint NOT NULL DEFAULT " + INDEXES);
        }
    }

    /**
     * Drops the table's indexes and constraints that can wait (recording them) when it is empty
     * and {@code rows} are about to arrive; returns how many were dropped.
     */
    public int deferIfWorthIt(Connection c, String table, long rows, LockGuard guard) throws SQLException {
        if (rows < threshold || !isEmpty(c, table)) {
            return 0;
        }
        return Transaction.run(c, guard, () -> {
            List<Deferred> deferred = new ArrayList<>();
            String quoted = Identifiers.quote(table);
            for (String[] index : plainIndexes(c, quoted)) {
                deferred.add(new Deferred(index[0], table, index[1], null, INDEXES,
                        "DROP INDEX " + Identifiers.quote(index[0])));
            }
            for (Deferred fk : foreignKeys(c, "f.conrelid = ?::regclass", quoted)) {
                if (fk != null) {
                    deferred.add(fk);
                }
            }
            deferUniques(c, table, deferred);
            try (Statement st = c.createStatement()) {
                for (Deferred d : deferred) {
                    enqueue(c, d.name(), d.table(), d.definition(), d.refused(), d.phase());
                    st.execute(d.drop());
                }
            }
            return deferred.size();
        });
    }

    /**
     * Adds the table's unique indexes and UNIQUE constraints, each with the foreign keys of
     * other tables that need it, when those tables are empty (copied after this one).
     */
    private static void deferUniques(Connection c, String table, List<Deferred> deferred) throws SQLException {
        String quoted = Identifiers.quote(table);
        List<Unique> uniques = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(UNIQUE_INDEXES)) {
            ps.setString(1, quoted);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    uniques.add(new Unique(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getInt(6), rs.getString(7), rs.getBoolean(8)));
                }
            }
        }
        for (Unique u : uniques) {
            List<Deferred> referencing = foreignKeys(c, "f.conindid = ?::oid", String.valueOf(u.oid()));
            boolean movable = true;
            for (Deferred fk : referencing) {
                movable = movable && fk != null && isEmpty(c, fk.table());
            }
            if (!movable) {
                continue; // a reference that must keep checking rows as they arrive needs the index
            }
            deferred.addAll(referencing);
            String refused = duplicates(c, quoted, u);
            deferred.add(u.constraint() == null
                    ? new Deferred(u.name(), table, u.definition(), refused, INDEXES,
                            "DROP INDEX " + Identifiers.quote(u.name()))
                    : new Deferred(u.name(), table, "ALTER TABLE " + quoted + " ADD CONSTRAINT "
                            + Identifiers.quote(u.constraint()) + " " + u.constraintDefinition(), refused, INDEXES,
                            dropConstraint(table, u.constraint())));
        }
    }

    /**
     * The foreign keys {@code condition} selects, as definitions to build on their own table,
     * each keyed by its table and name (names repeat across tables); null for one that cannot
     * be deferred (MATCH FULL, or a table in another schema).
     */
    private static List<Deferred> foreignKeys(Connection c, String condition, String value) throws SQLException {
        List<Deferred> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(FOREIGN_KEYS.formatted(condition))) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(5)) {
                        keys.add(null);
                        continue;
                    }
                    String name = rs.getString(1);
                    String child = rs.getString(2);
                    String[] columns = (String[]) rs.getArray(6).getArray();
                    String[] referenced = (String[]) rs.getArray(7).getArray();
                    keys.add(new Deferred(Identifiers.quote(child) + "." + Identifiers.quote(name), child,
                            "ALTER TABLE " + Identifiers.quote(child) + " ADD CONSTRAINT " + Identifiers.quote(name)
                                    + " " + rs.getString(3),
                            orphans(child, columns, rs.getString(4), referenced), FOREIGN_KEY,
                            dropConstraint(child, name)));
                }
            }
        }
        return keys;
    }

    /** Selects the rows whose reference (every column set, as MATCH SIMPLE checks) finds no row. */
    private static String orphans(String child, String[] columns, String parent, String[] referenced) {
        StringBuilder set = new StringBuilder();
        StringBuilder matches = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            String column = Identifiers.quote(child) + "." + Identifiers.quote(columns[i]);
            set.append(i > 0 ? " AND " : "").append(column).append(" IS NOT NULL");
            matches.append(i > 0 ? " AND " : "").append("p.").append(Identifiers.quote(referenced[i])).append(" = ")
                    .append(column);
        }
        return set + " AND NOT EXISTS (SELECT 1 FROM " + parent + " AS p WHERE " + matches + ")";
    }

    /**
     * Selects every row but the first (by {@code ctid}: the order the copy wrote them) of each
     * group the unique index would refuse: equal keys, within its predicate, NULL keys apart
     * unless it treats NULLs as equal.
     */
    private static String duplicates(Connection c, String table, Unique index) throws SQLException {
        List<String> expressions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_get_indexdef(?::oid, k, false) FROM generate_series(1, ?) AS k ORDER BY k")) {
            ps.setLong(1, index.oid());
            ps.setInt(2, index.keys());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    expressions.add("(" + rs.getString(1) + ")");
                }
            }
        }
        List<String> conditions = new ArrayList<>();
        if (index.predicate() != null) {
            conditions.add("(" + index.predicate() + ")");
        }
        if (!index.nullsEqual()) {
            expressions.forEach(e -> conditions.add(e + " IS NOT NULL"));
        }
        return "ctid IN (SELECT ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY "
                + String.join(", ", expressions) + " ORDER BY ctid) AS n FROM " + table
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + ") AS d WHERE n > 1)";
    }

    private static String dropConstraint(String table, String constraint) {
        return "ALTER TABLE " + Identifiers.quote(table) + " DROP CONSTRAINT " + Identifiers.quote(constraint);
    }

    /** The table's plain indexes: name and definition. */
    private static List<String[]> plainIndexes(Connection c, String table) throws SQLException {
        List<String[]> indexes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PLAIN_INDEXES)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return indexes;
    }

    /**
     * Records an index to build once {@code table} is copied, in the caller's transaction
     * (with the creation of a schema that leaves it for later).
     */
    public void enqueue(Connection c, String index, String table, String definition) throws SQLException {
        enqueue(c, index, table, definition, null, INDEXES);
    }

    private static void enqueue(Connection c, String name, String table, String definition, String refused, int phase)
            throws SQLException {
        try (PreparedStatement record = c.prepareStatement("INSERT INTO " + LEDGER
                + " (index_name, table_name, definition, refused, phase) VALUES (?, ?, ?, ?, ?)")) {
            record.setString(1, name);
            record.setString(2, table);
            record.setString(3, definition);
            record.setString(4, refused);
            record.setInt(5, phase);
            record.executeUpdate();
        }
    }

    /** Names of the table's indexes and constraints waiting to be built (by this run or an interrupted one). */
    public List<String> pending(Connection c, String table) throws SQLException {
        return pendingWhere(c, "table_name = ?", table);
    }

    /**
     * Builds the table's deferred indexes and constraints, each in its own transaction with
     * its ledger row. One that fails for rows it refuses has them removed by {@code removals}
     * and is built again; a foreign key whose referenced key is itself still waiting stays in
     * the ledger, for {@link #rebuildAll}.
     */
    public void rebuild(Connection c, String table, LockGuard guard, Removals removals) throws SQLException {
        build(c, pending(c, table), guard, removals);
    }

    /** Builds whatever is still waiting, for tables the port does not copy (or a run that stopped). */
    public void rebuildAll(Connection c, LockGuard guard, Removals removals) throws SQLException {
        build(c, pendingWhere(c, "true", null), guard, removals);
    }

    private static void build(Connection c, List<String> names, LockGuard guard, Removals removals)
            throws SQLException {
        if (names.isEmpty()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET maintenance_work_mem = '256MB'");
        }
        for (String name : names) {
            try {
                Transaction.run(c, guard, () -> {
                    buildOne(c, name, removals);
                    return null;
                });
            } catch (PSQLException e) {
                if (!INVALID_FOREIGN_KEY.equals(e.getSQLState())) {
                    throw e;
                }
                // its referenced unique key is still waiting (a run stopped before building it)
            }
        }
    }

    private static void buildOne(Connection c, String name, Removals removals) throws SQLException {
        String table;
        String definition;
        String refused;
        boolean foreignKey;
        try (PreparedStatement get = c.prepareStatement("DELETE FROM " + LEDGER
                + " WHERE index_name = ? RETURNING table_name, definition, refused, phase")) {
            get.setString(1, name);
            try (ResultSet rs = get.executeQuery()) {
                if (!rs.next()) {
                    return; // built meanwhile
                }
                table = rs.getString(1);
                definition = rs.getString(2);
                refused = rs.getString(3);
                foreignKey = rs.getInt(4) == FOREIGN_KEY;
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("SAVEPOINT deferred_build");
            try {
                st.execute(definition);
                return;
            } catch (PSQLException e) {
                boolean refusesRows = UNIQUE_VIOLATION.equals(e.getSQLState())
                        || FOREIGN_KEY_VIOLATION.equals(e.getSQLState());
                if (refused == null || !refusesRows) {
                    throw e;
                }
                st.execute("ROLLBACK TO SAVEPOINT deferred_build");
            }
            removals.remove(c, table, name, foreignKey, refused);
            st.execute(definition);
        }
    }

    private static List<String> pendingWhere(Connection c, String condition, String value) throws SQLException {
        List<String> names = new ArrayList<>();
        if (!ledgerExists(c)) {
            return names;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT index_name FROM " + LEDGER + " WHERE " + condition
                + " ORDER BY phase, table_name, index_name")) {
            if (value != null) {
                ps.setString(1, value);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
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

    /**
     * The foreign keys dropped for a copy and still waiting in the ledger (a run stopped
     * before building them): the target will hold them, so the copy's order must respect them.
     * Each one's referenced table is read back from its definition, as {@code pg_get_constraintdef}
     * wrote it ({@code REFERENCES name(}, the name quoted where it needs to be); its name is the
     * ledger's ({@code "table"."constraint"}) and its definition the statement that builds it.
     */
    static List<ForeignKey> pendingForeignKeys(Connection c) throws SQLException {
        List<ForeignKey> keys = new ArrayList<>();
        if (!ledgerExists(c)) {
            return keys;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT l.table_name, l.index_name, r.relname, l.definition"
                + " FROM " + LEDGER + " AS l JOIN pg_class AS r ON r.oid = to_regclass(substring(l.definition"
                + " FROM ' REFERENCES ((?:\"(?:[^\"]|\"\")+\"|[^\"(.])+(?:\\.(?:\"(?:[^\"]|\"\")+\"|[^\"(.])+)?)\\('))"
                + " WHERE l.phase = ? ORDER BY 1, 2")) {
            ps.setInt(1, FOREIGN_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return keys;
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
