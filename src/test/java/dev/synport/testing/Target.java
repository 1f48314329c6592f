package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

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

    /** The database's content now, to compare with an earlier state. */
    public DatabaseState state() throws SQLException {
        try (Connection c = connect()) {
            return DatabaseState.read(c);
        }
    }

    /** Whether a port has begun here: the tracking table exists. */
    public boolean hasTrackingTable() throws SQLException {
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT to_regclass('port_from_sqlite3') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
