package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.postgres.ColumnKind;
import dev.synport.report.Finding;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the report names a table's rows: by the target table's primary key, or else by its
 * narrowest unique index on plain columns (what Synapse's own code looks rows up by:
 * event_id, user_id, room_id, ...), with the values as SQLite held them. A table without
 * either, or whose key is not among the copied columns, is named by rowid alone.
 */
final class RowKey {
    /** Primary key first, then unique indexes by width and name; partial and expression indexes cannot name a row. */
    private static final String KEYS = "SELECT array_agg(a.attname ORDER BY k.ord)"
            + " FROM pg_index i CROSS JOIN unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
            + " WHERE i.indrelid = ?::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL"
            + " GROUP BY i.indexrelid, i.indisprimary"
            + " ORDER BY i.indisprimary DESC, count(*), i.indexrelid::regclass::text";

    private final List<String> names;
    private final List<String> targetNames;
    /** Result-set column of each key column: the rowid is column 1, the planned columns follow. */
    private final int[] resultColumns;
    /** Text read as bytes (so that invalid UTF-8 survives the read) is shown as text when it is valid. */
    private final boolean[] text;

    private RowKey(List<String> names, List<String> targetNames, int[] resultColumns, boolean[] text) {
        this.names = List.copyOf(names);
        this.targetNames = List.copyOf(targetNames);
        this.resultColumns = resultColumns;
        this.text = text;
    }

    /** Reads the table's key from the target's catalogue. */
    static RowKey read(Connection pg, TablePlan plan) throws SQLException {
        try (PreparedStatement ps = pg.prepareStatement(KEYS)) {
            ps.setString(1, Identifiers.quote(plan.name()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array columns = rs.getArray(1);
                    RowKey key = mapped(plan.columns(), (String[]) columns.getArray());
                    columns.free();
                    if (key != null) {
                        return key;
                    }
                }
            }
        }
        return new RowKey(List.of(), List.of(), new int[0], new boolean[0]);
    }

    private static RowKey mapped(List<ColumnPlan> columns, String[] keyColumns) {
        List<String> names = new ArrayList<>();
        int[] positions = new int[keyColumns.length];
        boolean[] text = new boolean[keyColumns.length];
        for (int k = 0; k < keyColumns.length; k++) {
            int found = -1;
            for (int i = 0; i < columns.size() && found < 0; i++) {
                if (columns.get(i).targetName().equals(keyColumns[k])) {
                    found = i;
                }
            }
            if (found < 0) {
                return null;
            }
            names.add(columns.get(found).sourceName());
            positions[k] = found + 2;
            text[k] = columns.get(found).kind() != ColumnKind.BYTEA;
        }
        return new RowKey(names, List.of(keyColumns), positions, text);
    }

    /** The current row's key. */
    Map<String, Object> of(ResultSet rs) throws SQLException {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int k = 0; k < resultColumns.length; k++) {
            Object value = rs.getObject(resultColumns[k]);
            key.put(names.get(k), text[k] && value instanceof byte[] bytes && Utf8.isWellFormed(bytes)
                    ? new String(bytes, StandardCharsets.UTF_8) : value);
        }
        return key;
    }

    /** The key columns of the target table, for a select list after others: {@code , alias."col", ...}. */
    String targetColumns(String alias) {
        StringBuilder b = new StringBuilder();
        for (String column : targetNames) {
            b.append(", ").append(alias).append('.').append(Identifiers.quote(column));
        }
        return b.toString();
    }

    /** The key of a row read from the target, its key columns from result-set column {@code first} on. */
    Map<String, Object> of(ResultSet rs, int first) throws SQLException {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            key.put(names.get(k), rs.getObject(first + k));
        }
        return key;
    }

    /** Gives the findings from index {@code from} on, all about the current row, its key. */
    void name(ResultSet rs, List<Finding> findings, int from) throws SQLException {
        if (resultColumns.length == 0 || findings.size() <= from) {
            return;
        }
        Map<String, Object> key = of(rs);
        for (int i = from; i < findings.size(); i++) {
            findings.set(i, findings.get(i).withKey(key));
        }
    }
}
