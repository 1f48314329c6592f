package dev.synport.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The PostgreSQL connection described by a homeserver config's {@code database} section.
 * Immutable; {@link #toString()} never shows the password.
 */
public record DatabaseSettings(
        String connector,
        String host,
        int port,
        String database,
        String user,
        Optional<String> password,
        SslSettings ssl,
        Optional<Integer> connectTimeoutSeconds,
        String applicationName,
        PoolSize pool,
        Map<String, String> keepalives) {

    public DatabaseSettings {
        Objects.requireNonNull(connector);
        Objects.requireNonNull(host);
        Objects.requireNonNull(database);
        Objects.requireNonNull(user);
        Objects.requireNonNull(password);
        Objects.requireNonNull(ssl);
        Objects.requireNonNull(connectTimeoutSeconds);
        Objects.requireNonNull(applicationName);
        Objects.requireNonNull(pool);
        keepalives = Map.copyOf(keepalives);
    }

    /** True when {@code host} names a Unix socket directory rather than a TCP host. */
    public boolean isUnixSocket() {
        return host.startsWith("/");
    }

    /** {@code user@host:port/database}, safe to print. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + describe() + ", connector=" + connector
                + ", password=" + (password.isPresent() ? "****" : "none")
                + ", ssl=" + ssl + ", pool=" + pool + "]";
    }

    /** TLS settings, libpq's names. */
    public record SslSettings(
            Optional<String> mode,
            Optional<String> rootCert,
            Optional<String> cert,
            Optional<String> key) {
        public static SslSettings none() {
            return new SslSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /** Connection pool bounds from {@code cp_min}/{@code cp_max}. */
    public record PoolSize(int min, int max) {
        public PoolSize {
            if (min < 0 || max < 1 || min > max) {
                throw new IllegalArgumentException("pool size " + min + ".." + max);
            }
        }
    }
}
