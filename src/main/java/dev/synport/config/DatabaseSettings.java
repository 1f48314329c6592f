package dev.synport.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The PostgreSQL connection described by a homeserver config's {@code database} section.
 * Immutable; {@link #toString()} never shows a password.
 *
 * @param password the password given for every endpoint ({@code database.args.password} or
 *     {@code PGPASSWORD})
 * @param passFilePasswords where no password is given: the password file's line for each
 *     endpoint that has one, as libpq looks it up per host
 */
public record DatabaseSettings(
        String connector,
        List<Endpoint> endpoints,
        String database,
        String user,
        Optional<String> password,
        Map<Endpoint, String> passFilePasswords,
        SslSettings ssl,
        Optional<Integer> connectTimeoutSeconds,
        String applicationName,
        PoolSize pool,
        Map<String, String> keepalives) {

    public DatabaseSettings {
        Objects.requireNonNull(connector);
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoint");
        }
        Objects.requireNonNull(database);
        Objects.requireNonNull(user);
        Objects.requireNonNull(password);
        passFilePasswords = Map.copyOf(passFilePasswords);
        Objects.requireNonNull(ssl);
        Objects.requireNonNull(connectTimeoutSeconds);
        Objects.requireNonNull(applicationName);
        Objects.requireNonNull(pool);
        keepalives = Map.copyOf(keepalives);
    }

    /** The password to send to this endpoint, if any. */
    public Optional<String> passwordFor(Endpoint endpoint) {
        return password.or(() -> Optional.ofNullable(passFilePasswords.get(endpoint)));
    }

    /** The first endpoint's host (of several when {@code host} is a list). */
    public String host() {
        return endpoints.get(0).host();
    }

    /** The first endpoint's port. */
    public int port() {
        return endpoints.get(0).port();
    }

    /** True when the (first) host names a Unix socket directory rather than a TCP host. */
    public boolean isUnixSocket() {
        return endpoints.get(0).isUnixSocket();
    }

    /** {@code user@host:port/database} (hosts separated by commas), safe to print. */
    public String describe() {
        return user + "@" + endpoints.stream().map(Endpoint::describe).collect(Collectors.joining(","))
                + "/" + database;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + describe() + ", connector=" + connector
                + ", password=" + (password.isPresent() ? "****" : passFilePasswords.isEmpty() ? "none" : "from file")
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
