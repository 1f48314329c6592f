package dev.synport.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PostgreSQL started from the io.zonky binaries on Maven Central; no installation needed.
 * The superuser {@code postgres} is trusted; every other role must give its password
 * (scram-sha-256), so that tests can check what a wrong password does. The server listens on
 * localhost and on a Unix socket in a directory of its own ({@link #socketDirectory()}).
 * Tests about connecting start their own with {@link #start(Map, List)}: more server settings
 * (such as ssl) and pg_hba.conf lines that come before the default ones.
 */
public final class EmbeddedPostgresServer implements PostgresServer {
    private static final List<String> DEFAULT_HBA = List.of(
            "local all postgres trust",
            "host all postgres 127.0.0.1/32 trust",
            "host all postgres ::1/128 trust",
            "local all all scram-sha-256",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256");

    private final EmbeddedPostgres postgres;
    private final Path socketDirectory;

    EmbeddedPostgresServer() {
        this(Map.of(), List.of(), List.of());
    }

    private EmbeddedPostgresServer(Map<String, String> serverConfig, List<String> hbaFirst, List<String> ident) {
        try {
            Path data = Files.createTempDirectory("synport-pg");
            socketDirectory = Files.createTempDirectory("synport-pg-socket");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    .setLocaleConfig("locale", "C")
                    .setLocaleConfig("encoding", "UTF8")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "100");
            serverConfig.forEach(builder::setServerConfig);
            // its own socket directory first, then any the caller adds
            builder.setServerConfig("unix_socket_directories", socketDirectory + Optional.ofNullable(
                    serverConfig.get("unix_socket_directories")).map(more -> "," + more).orElse(""));
            postgres = builder.start();
            List<String> hba = new ArrayList<>(hbaFirst);
            hba.addAll(DEFAULT_HBA);
            hba.add("");
            Files.writeString(data.resolve("pg_hba.conf"), String.join("\n", hba));
            Files.writeString(data.resolve("pg_ident.conf"), String.join("\n", ident) + "\n");
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot configure embedded PostgreSQL", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    /**
     * A server of its own, with these postgresql.conf settings (unix_socket_directories: more
     * directories besides its own), these pg_hba.conf lines before
     * the default ones (the first matching line wins), and these pg_ident.conf lines.
     */
    public static EmbeddedPostgresServer start(Map<String, String> serverConfig, List<String> hbaFirst,
            List<String> ident) {
        return new EmbeddedPostgresServer(serverConfig, hbaFirst, ident);
    }

    /** The directory holding the server's socket {@code .s.PGSQL.<port>}. */
    public Path socketDirectory() {
        return socketDirectory;
    }

    @Override
    public String host() {
        return "localhost";
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String password() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
