package dev.synport.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.config.DatabaseSettings;
import dev.synport.config.Endpoint;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.newsclub.net.unix.AFUNIXSocketFactory;
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

    /**
     * Connects once to each endpoint in turn until one answers (so that a wrong password or host
     * fails with a clear message), then builds the pool on that endpoint.
     */
    public static PostgresTarget connect(DatabaseSettings settings, int minConnections, TargetErrors errors) {
        boolean tls = settings.endpoints().stream().anyMatch(e -> !e.isUnixSocket())
                && !settings.ssl().mode().orElse("prefer").equals("disable");
        if (tls) {
            ClientTls.check(settings.ssl());
        }
        List<String> failures = new ArrayList<>();
        for (Endpoint endpoint : settings.endpoints()) {
            PGSimpleDataSource probe = new PGSimpleDataSource();
            probe.setURL(url(settings, endpoint));
            try {
                probe.getConnection(settings.user(), settings.passwordFor(endpoint).orElse(null)).close();
            } catch (SQLException e) {
                if (settings.endpoints().size() == 1) {
                    throw new PortException(FailureReason.PORT_FAILED, errors.connecting(settings, endpoint, e), e);
                }
                failures.add(errors.connecting(settings, endpoint, e));
                continue;
            }
            return new PostgresTarget(settings, pool(settings, endpoint, minConnections));
        }
        throw new PortException(FailureReason.PORT_FAILED, "no host in database.args.host answered: "
                + String.join("; then ", failures));
    }

    private static HikariDataSource pool(DatabaseSettings settings, Endpoint endpoint, int minConnections) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("synapse-port-db");
        config.setJdbcUrl(url(settings, endpoint));
        config.setUsername(settings.user());
        settings.passwordFor(endpoint).ifPresent(config::setPassword);
        int size = Math.max(settings.pool().max(), minConnections);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(settings.pool().min(), size));
        config.setAutoCommit(true);
        // The port's sessions wait by design (the control connection through the whole copy, the
        // lock's between heartbeats): a server-side idle timeout set for Synapse must not end them.
        // As pg_dump does; idle_session_timeout exists from PostgreSQL 14 on.
        config.setConnectionInitSql("SELECT set_config(name, '0', false) FROM pg_settings"
                + " WHERE name IN ('idle_session_timeout', 'idle_in_transaction_session_timeout')");
        config.setConnectionTimeout(settings.connectTimeoutSeconds().map(s -> Math.max(1, s) * 1000L).orElse(30_000L));
        return new HikariDataSource(config);
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

    /** The URL with every property in it, so that the probe and the pool connect the same way. */
    private static String url(DatabaseSettings s, Endpoint endpoint) {
        // over a Unix socket the socket factory ignores the host; pgjdbc still wants one
        String host = endpoint.isUnixSocket() ? "localhost"
                : endpoint.host().contains(":") && !endpoint.host().startsWith("[") ? "[" + endpoint.host() + "]"
                : endpoint.host();
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(endpoint.port())
                .append('/').append(URLEncoder.encode(s.database(), StandardCharsets.UTF_8));
        Properties p = connectionProperties(s, endpoint);
        String separator = "?";
        for (String name : new TreeSet<>(p.stringPropertyNames())) {
            url.append(separator).append(name).append('=')
                    .append(URLEncoder.encode(p.getProperty(name), StandardCharsets.UTF_8));
            separator = "&";
        }
        return url.toString();
    }

    private static Properties connectionProperties(DatabaseSettings s, Endpoint endpoint) {
        Properties p = new Properties();
        p.setProperty(PGProperty.APPLICATION_NAME.getName(), s.applicationName());
        if (endpoint.isUnixSocket()) {
            p.setProperty(PGProperty.SOCKET_FACTORY.getName(), AFUNIXSocketFactory.FactoryArg.class.getName());
            p.setProperty(PGProperty.SOCKET_FACTORY_ARG.getName(), endpoint.socketPath());
            // libpq never uses SSL (nor GSS encryption) on a Unix socket, whatever sslmode says
            p.setProperty(PGProperty.SSL_MODE.getName(), "disable");
            p.setProperty(PGProperty.GSS_ENC_MODE.getName(), "disable");
        } else {
            // libpq's default is 'prefer'; pgjdbc's is too, but say it so that it is visible
            String mode = s.ssl().mode().orElse("prefer");
            p.setProperty(PGProperty.SSL_MODE.getName(), mode);
            if (!mode.equals("disable")) {
                p.setProperty(PGProperty.SSL_FACTORY.getName(), PemSslFactory.class.getName());
                s.ssl().rootCert().ifPresent(v -> p.setProperty(PGProperty.SSL_ROOT_CERT.getName(), v));
                s.ssl().cert().ifPresent(v -> p.setProperty(PGProperty.SSL_CERT.getName(), v));
                s.ssl().key().ifPresent(v -> p.setProperty(PGProperty.SSL_KEY.getName(), v));
            }
            if (!"0".equals(s.keepalives().getOrDefault("keepalives", "1"))) {
                p.setProperty(PGProperty.TCP_KEEP_ALIVE.getName(), "true");
            }
        }
        s.connectTimeoutSeconds().ifPresent(v -> p.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), Integer.toString(v)));
        p.setProperty(PGProperty.REWRITE_BATCHED_INSERTS.getName(), "true");
        return p;
    }
}
