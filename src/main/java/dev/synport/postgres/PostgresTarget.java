package dev.synport.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.synport.FailureReason;
import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.config.DatabaseSettings;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The target PostgreSQL database: one probe connection for clear connection errors, then a
 * HikariCP pool sized from {@code cp_min}/{@code cp_max} and at least the number of copy
 * workers. Owns the pool; {@link #close()} releases it.
 */
public final class PostgresTarget implements AutoCloseable {
    private final DatabaseSettings settings;
    private final HikariDataSource pool;

    private PostgresTarget(DatabaseSettings settings, HikariDataSource pool) {
        this.settings = settings;
        this.pool = pool;
    }

    /** Connects once (so that a wrong password or host fails with a clear message), then builds the pool. */
    public static PostgresTarget connect(DatabaseSettings settings, int minConnections) {
        if (settings.isUnixSocket()) {
            throw new PortException(FailureReason.CONFIG_MALFORMED, "database.args.host: '" + settings.host()
                    + "' is a Unix socket directory, which this version cannot use yet; set host to"
                    + " localhost (or the server's address) and allow TCP connections in pg_hba.conf");
        }
        Properties properties = connectionProperties(settings);
        PGSimpleDataSource probe = new PGSimpleDataSource();
        probe.setURL(url(settings));
        try (Connection ignored = probe.getConnection(settings.user(), settings.password().orElse(null))) {
            // reachable, authenticated, database exists
        } catch (SQLException e) {
            throw new PortException(FailureReason.PORT_FAILED, explain(settings, e), e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("synapse-port-db");
        config.setJdbcUrl(url(settings));
        config.setUsername(settings.user());
        settings.password().ifPresent(config::setPassword);
        config.setDataSourceProperties(properties);
        int size = Math.max(settings.pool().max(), minConnections);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(settings.pool().min(), size));
        config.setAutoCommit(true);
        config.setConnectionTimeout(settings.connectTimeoutSeconds().map(s -> Math.max(1, s) * 1000L).orElse(30_000L));
        return new PostgresTarget(settings, new HikariDataSource(config));
    }

    public DatabaseSettings settings() {
        return settings;
    }

    /** Borrows a pooled connection; the caller closes it. */
    public Connection open() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String url(DatabaseSettings s) {
        String host = s.host().contains(":") && !s.host().startsWith("[") ? "[" + s.host() + "]" : s.host();
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(s.port())
                .append('/').append(URLEncoder.encode(s.database(), StandardCharsets.UTF_8));
        Properties p = connectionProperties(s);
        String separator = "?";
        for (String name : p.stringPropertyNames()) {
            url.append(separator).append(name).append('=')
                    .append(URLEncoder.encode(p.getProperty(name), StandardCharsets.UTF_8));
            separator = "&";
        }
        return url.toString();
    }

    private static Properties connectionProperties(DatabaseSettings s) {
        Properties p = new Properties();
        p.setProperty(PGProperty.APPLICATION_NAME.getName(), s.applicationName());
        // libpq's default is 'prefer'; pgjdbc's is too, but say it so that it is visible
        p.setProperty(PGProperty.SSL_MODE.getName(), s.ssl().mode().orElse("prefer"));
        s.ssl().rootCert().ifPresent(v -> p.setProperty(PGProperty.SSL_ROOT_CERT.getName(), v));
        s.ssl().cert().ifPresent(v -> p.setProperty(PGProperty.SSL_CERT.getName(), v));
        s.ssl().key().ifPresent(v -> p.setProperty(PGProperty.SSL_KEY.getName(), v));
        s.connectTimeoutSeconds().ifPresent(v -> p.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), Integer.toString(v)));
        if (!"0".equals(s.keepalives().getOrDefault("keepalives", "1"))) {
            p.setProperty(PGProperty.TCP_KEEP_ALIVE.getName(), "true");
        }
        p.setProperty(PGProperty.REWRITE_BATCHED_INSERTS.getName(), "true");
        return p;
    }

    private static String explain(DatabaseSettings s, SQLException e) {
        String where = "PostgreSQL at " + s.host() + ":" + s.port();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = Messages.oneLine(e.getMessage());
        return switch (state) {
            case "28P01", "28000" -> where + " refused user '" + s.user() + "' (" + detail
                    + "); check database.args.user and database.args.password, and pg_hba.conf";
            case "3D000" -> where + " has no database '" + s.database() + "'; create it with: createdb"
                    + " --encoding=UTF8 --locale=C --template=template0 --owner=" + s.user() + " " + s.database();
            default -> network(e).map(cause -> "cannot connect to " + where + ": " + cause)
                    .orElse("cannot connect to " + where + " as user '" + s.user() + "': " + detail);
        };
    }

    /** Connection-level failures, said in words with what to check; pgjdbc's text for them is vague. */
    private static Optional<String> network(SQLException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return Optional.of("unknown host '" + t.getMessage().replaceAll(":.*", "")
                        + "'; check database.args.host");
            }
            if (t instanceof ConnectException) {
                return Optional.of("the connection was refused; check database.args.host and"
                        + " database.args.port, and that PostgreSQL is running and accepts TCP connections there");
            }
            if (t instanceof SocketTimeoutException) {
                return Optional.of("no answer within the connect timeout; check database.args.host and"
                        + " database.args.port, and any firewall between here and there");
            }
        }
        return Optional.empty();
    }
}
