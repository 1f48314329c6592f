package dev.synport.sqlite;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the snapshot's catalogue and refuses snapshots that are unsafe to port: not a
 * Synapse database, auto_vacuum on (rowids could change between runs), or background
 * updates still pending.
 */
public final class SnapshotInspector {
    private final Snapshot snapshot;

    public SnapshotInspector(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    public SnapshotSchema inspectAndCheck() {
        try (Connection connection = snapshot.open()) {
            Map<String, SourceTable> tables = readTables(connection);
            if (!tables.containsKey("schema_version") || !tables.containsKey("events")) {
                throw refused(snapshot.file() + " is a SQLite database but not a Synapse one"
                        + " (it has no schema_version or events table)");
            }
            int version = schemaVersion(connection);
            checkAutoVacuum(connection);
            if (tables.containsKey("background_updates")) {
                checkNoBackgroundUpdates(connection);
            }
            Map<String, Long> sequences = tables.containsKey("sqlite_sequence") ? autoincrement(connection) : Map.of();
            return new SnapshotSchema(version, tables, sequences);
        } catch (SQLException e) {
            throw Snapshot.readFailure(snapshot.file(), "cannot read the SQLite database " + snapshot.file()
                    + " (corrupt or not a database?): ", e);
        }
    }

    private static Map<String, SourceTable> readTables(Connection connection) throws SQLException {
        Map<String, String> ddl = new TreeMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT name, sql FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                ddl.put(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2));
            }
        }
        Map<String, SourceTable> tables = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT name FROM pragma_table_info(?) ORDER BY cid")) {
            for (Map.Entry<String, String> e : ddl.entrySet()) {
                List<String> columns = new ArrayList<>();
                ps.setString(1, e.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.add(rs.getString(1));
                    }
                }
                String sql = e.getValue().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
                boolean virtual = sql.startsWith("CREATE VIRTUAL TABLE");
                boolean withoutRowid = sql.matches(".*\\)\\s*WITHOUT ROWID\\s*;?\\s*$");
                tables.put(e.getKey(), new SourceTable(e.getKey(), columns, virtual, !withoutRowid));
            }
        }
        return tables;
    }

    private int schemaVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
            if (!rs.next()) {
                throw refused(snapshot.file() + " has an empty schema_version table; is Synapse's database"
                        + " initialised? Start Synapse on it once, then take a new snapshot");
            }
            return rs.getInt(1);
        }
    }

    private static void checkAutoVacuum(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA auto_vacuum")) {
            if (rs.next() && rs.getInt(1) != 0) {
                throw refused("auto_vacuum is enabled in the SQLite database, so rowids may change between runs;"
                        + " stop Synapse, run 'PRAGMA auto_vacuum = 0; VACUUM;' on it, then take a new snapshot");
            }
        }
    }

    private static void checkNoBackgroundUpdates(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), min(update_name) FROM background_updates")) {
            if (rs.next() && rs.getLong(1) > 0) {
                throw refused("the SQLite database has " + rs.getLong(1) + " pending background update(s) (e.g. '"
                        + rs.getString(2) + "'); start Synapse on it and wait until they have finished,"
                        + " then take a new snapshot");
            }
        }
    }

    private static Map<String, Long> autoincrement(Connection connection) throws SQLException {
        Map<String, Long> values = new HashMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT name, seq FROM sqlite_sequence")) {
            while (rs.next()) {
                values.merge(rs.getString(1), rs.getLong(2), Math::max);
            }
        }
        return values;
    }

    private static PortException refused(String message) {
        return new PortException(FailureReason.PORT_FAILED, message);
    }
}
