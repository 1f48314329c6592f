package dev.synport.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The content of a database, summarised for comparison: per table the row count and a digest
 * of its rows (order-independent), per sequence the next value it hands out and its exact
 * state, the definition (and validity) of every index, and every constraint.
 */
public record DatabaseState(Map<String, TableState> tables, Map<String, Long> nextValues,
        Map<String, String> sequenceStates, Map<String, String> indexes, Map<String, String> constraints) {

    /** Row count and digest of one table. */
    public record TableState(long rows, String digest) {}

    public static DatabaseState read(Connection c, String... excludedTables) throws SQLException {
        List<String> excluded = List.of(excludedTables);
        Map<String, TableState> tables = new TreeMap<>();
        for (String name : column(c, "SELECT table_name FROM information_schema.tables WHERE table_schema"
                + " = current_schema() AND table_type = 'BASE TABLE'")) {
            if (excluded.contains(name)) {
                continue;
            }
            // what a verification saw of PostgreSQL's transactions is the database's own
            String row = name.equals("port_from_sqlite3_digests") ? "(to_jsonb(t) - 'verified_xmin')::text" : "t::text";
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*),"
                    + " coalesce(md5(string_agg(md5(" + row + "), '' ORDER BY md5(" + row + "))), '') FROM \"" + name
                    + "\" t")) {
                rs.next();
                tables.put(name, new TableState(rs.getLong(1), rs.getString(2)));
            }
        }
        Map<String, Long> nextValues = new TreeMap<>();
        Map<String, String> sequenceStates = sequenceStates(c);
        sequenceStates.forEach((seq, state) -> {
            String[] parts = state.split(" ");
            long last = Long.parseLong(parts[0]);
            nextValues.put(seq, Boolean.parseBoolean(parts[1]) ? last + 1 : last);
        });
        Map<String, String> indexes = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid, t.relname FROM pg_index x"
                        + " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                        + " WHERE t.relnamespace = current_schema()::regnamespace")) {
            while (rs.next()) {
                if (!excluded.contains(rs.getString(4))) {
                    indexes.put(rs.getString(1), rs.getString(2) + (rs.getBoolean(3) ? "" : " (INVALID)"));
                }
            }
        }
        Map<String, String> constraints = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated FROM pg_constraint k"
                        + " JOIN pg_class t ON t.oid = k.conrelid WHERE k.connamespace = current_schema()::regnamespace")) {
            while (rs.next()) {
                if (!excluded.contains(rs.getString(1))) {
                    constraints.put(rs.getString(1) + "." + rs.getString(2),
                            rs.getString(3) + (rs.getBoolean(4) ? "" : " (NOT VALID)"));
                }
            }
        }
        return new DatabaseState(tables, nextValues, sequenceStates, indexes, constraints);
    }

    /** Every sequence's {@code last_value} and {@code is_called}, as {@code "1 true"}. */
    public static Map<String, String> sequenceStates(Connection c) throws SQLException {
        Map<String, String> states = new TreeMap<>();
        for (String seq : column(c, "SELECT sequence_name FROM information_schema.sequences"
                + " WHERE sequence_schema = current_schema()")) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM \"" + seq + "\"")) {
                rs.next();
                states.put(seq, rs.getLong(1) + " " + rs.getBoolean(2));
            }
        }
        return states;
    }

    private static List<String> column(Connection c, String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    /**
     * Human-readable differences from {@code other}, empty when equal: tables, rows, next
     * sequence values, indexes and constraints (not the exact sequence states, which
     * differ between tools that hand out the same next value).
     */
    public List<String> differences(DatabaseState other) {
        List<String> diffs = new ArrayList<>();
        Map<String, TableState> all = new TreeMap<>(tables);
        other.tables.forEach(all::putIfAbsent);
        for (String table : all.keySet()) {
            TableState a = tables.get(table);
            TableState b = other.tables.get(table);
            if (a == null || b == null || !a.equals(b)) {
                diffs.add("table " + table + ": " + a + " vs " + b);
            }
        }
        compare("sequence next value", nextValues, other.nextValues, diffs);
        compare("index", indexes, other.indexes, diffs);
        compare("constraint", constraints, other.constraints, diffs);
        return diffs;
    }

    /** {@link #differences} and also every sequence's exact state. */
    public List<String> exactDifferences(DatabaseState other) {
        List<String> diffs = differences(other);
        compare("sequence state", sequenceStates, other.sequenceStates, diffs);
        return diffs;
    }

    private static <T> void compare(String what, Map<String, T> ours, Map<String, T> theirs, List<String> diffs) {
        Map<String, T> all = new TreeMap<>(ours);
        theirs.forEach(all::putIfAbsent);
        for (String key : all.keySet()) {
            if (!Objects.equals(ours.get(key), theirs.get(key))) {
                diffs.add(what + " " + key + ": " + ours.get(key) + " vs " + theirs.get(key));
            }
        }
    }
}
