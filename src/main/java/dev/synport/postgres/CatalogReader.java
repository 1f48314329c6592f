package dev.synport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/** Reads a {@link TargetCatalog} from the target's current schema. */
public final class CatalogReader {
    private static final String COLUMNS = """
            SELECT table_name, column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL,
                   is_identity = 'YES', is_generated <> 'NEVER'
            FROM information_schema.columns
            WHERE table_schema = current_schema()
            ORDER BY table_name, ordinal_position""";
    private static final String TABLES = """
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'""";
    private static final String FOREIGN_KEYS = """
            SELECT t.relname, c.conname, r.relname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
            WHERE c.contype = 'f' AND n.nspname = current_schema()
            ORDER BY 1, 2""";

    public TargetCatalog read(Connection connection) throws SQLException {
        String serverVersion;
        String encoding;
        String collate;
        String ctype;
        String schema;
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('server_version'),"
                        + " pg_encoding_to_char(encoding), datcollate, datctype, current_schema()"
                        + " FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            serverVersion = rs.getString(1);
            encoding = rs.getString(2);
            collate = rs.getString(3);
            ctype = rs.getString(4);
            schema = rs.getString(5);
        }
        Set<String> baseTables = new HashSet<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                baseTables.add(rs.getString(1));
            }
        }
        Map<String, List<TargetColumn>> columns = new LinkedHashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COLUMNS)) {
            while (rs.next()) {
                if (!baseTables.contains(rs.getString(1))) {
                    continue;
                }
                String type = rs.getString(3);
                columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new TargetColumn(
                        rs.getString(2), type, ColumnKind.of(type), rs.getBoolean(4), rs.getBoolean(5),
                        rs.getBoolean(6), rs.getBoolean(7)));
            }
        }
        Map<String, TargetTable> tables = new HashMap<>();
        columns.forEach((name, cols) -> tables.put(name, new TargetTable(name, cols)));
        List<ForeignKey> foreignKeys = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(FOREIGN_KEYS)) {
            while (rs.next()) {
                foreignKeys.add(new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        // those an interrupted run dropped to build after a copy are the target's all the same
        foreignKeys.addAll(DeferredIndexes.pendingForeignKeys(connection));
        Set<String> sequences = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sequences.add(rs.getString(1));
            }
        }
        OptionalInt version = OptionalInt.empty();
        if (tables.containsKey("schema_version")) {
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
                if (rs.next()) {
                    version = OptionalInt.of(rs.getInt(1));
                }
            }
        }
        return new TargetCatalog(serverVersion, encoding, collate, ctype, schema, tables, foreignKeys, sequences,
                version);
    }
}
