package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/** A target database for one test, and a homeserver config file pointing at it. */
public record Target(PostgresServer server, String database, Path config) {

    /** A fresh database restored from a fixture dump (e.g. {@code pg-v72-synapse-init.sql}), or empty if null. */
    public static Target create(PostgresServer server, String database, String initFixture, Path dir) {
        try {
            server.createDatabase(database);
            if (initFixture != null) {
                try (Connection c = server.connect(database)) {
                    SqlScript.run(c, Fixtures.file(initFixture));
                }
            }
            Path config = dir.resolve(database + ".yaml");
            Files.writeString(config, yaml(server, database));
            return new Target(server, database, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String yaml(PostgresServer server, String database) {
        return "server_name: portdb.test\n"
                + "database:\n"
                + "  name: psycopg2\n"
                + "  args:\n"
                + "    user: " + server.user() + "\n"
                + "    password: " + server.password() + "\n"
                + "    database: " + database + "\n"
                + "    host: " + server.host() + "\n"
                + "    port: " + server.port() + "\n"
                + "    cp_min: 1\n"
                + "    cp_max: 5\n";
    }

    public Connection connect() throws SQLException {
        return server.connect(database);
    }

    /** The database's content, for comparison. */
    public DatabaseState state() throws SQLException {
        try (Connection c = connect()) {
            return DatabaseState.read(c);
        }
    }

    /**
     * Waits (3 minutes at most) until a port running in {@code process} is in the middle of a
     * large table of a 20,000-event synthetic snapshot; returns whether it got there.
     */
    public boolean awaitMidCopy(Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (checkpointBetween("state_groups_state", 1000, 15000) || checkpointBetween("event_json", 1000, 15000)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * True while the table's copy is mid-way: its checkpoint is past rowid {@code after} and
     * before {@code before} (false while the tracking table does not exist yet).
     */
    public boolean checkpointBetween(String table, long after, long before) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT forward_rowid FROM port_from_sqlite3 WHERE table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > after && rs.getLong(1) < before;
            }
        } catch (SQLException e) {
            return false;
        }
    }
}
