package dev.synport.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of a database, summarised for comparison: per table the row count and a digest
 * of its rows (order-independent), per sequence the next value it hands out, and the
 * definition of every index.
 */
public record DatabaseState(Map<String, TableState> tables, Map<String, Long> nextValues, Map<String, String> indexes) {

    /** Row count and digest of one table. */
    public record TableState(long rows, String digest) {}

    public static DatabaseState read(Connection c, String... excludedTables) throws SQLException {
        List<String> excluded = List.of(excludedTables);
        Map<String, TableState> tables = new TreeMap<>();
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                        + " AND table_type = 'BASE TABLE'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        for (String name : names) {
            if (excluded.contains(name)) {
                continue;
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*),"
                    + " coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM \"" + name + "\" t")) {
                rs.next();
                tables.put(name, new TableState(rs.getLong(1), rs.getString(2)));
            }
        }
        Map<String, Long> sequences = new TreeMap<>();
        List<String> seqNames = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")) {
            while (rs.next()) {
                seqNames.add(rs.getString(1));
            }
        }
        for (String seq : seqNames) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM \"" + seq + "\"")) {
                rs.next();
                sequences.put(seq, rs.getBoolean(2) ? rs.getLong(1) + 1 : rs.getLong(1));
            }
        }
        Map<String, String> indexes = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")) {
            while (rs.next()) {
                if (!excluded.contains(rs.getString(2).replaceAll(".* ON (\\S+\\.)?(\\S+) USING.*", "$2"))) {
                    indexes.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return new DatabaseState(tables, sequences, indexes);
    }

    /** Human-readable differences from {@code other}, empty when equal. */
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
        Map<String, Long> seqs = new TreeMap<>(nextValues);
        other.nextValues.forEach(seqs::putIfAbsent);
        for (String seq : seqs.keySet()) {
            if (!java.util.Objects.equals(nextValues.get(seq), other.nextValues.get(seq))) {
                diffs.add("sequence " + seq + " next value: " + nextValues.get(seq) + " vs " + other.nextValues.get(seq));
            }
        }
        if (!indexes.equals(other.indexes)) {
            diffs.add("indexes differ: " + indexes.keySet() + " vs " + other.indexes.keySet());
        }
        return diffs;
    }
}
