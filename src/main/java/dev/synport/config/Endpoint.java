package dev.synport.config;

import java.util.Objects;

/**
 * One place to reach the server: a TCP host and port, or (host starting with {@code /}) a Unix
 * socket directory holding {@code .s.PGSQL.<port>}, as libpq reads {@code host} and {@code port}.
 */
public record Endpoint(String host, int port) {
    public Endpoint {
        Objects.requireNonNull(host);
    }

    public boolean isUnixSocket() {
        return host.startsWith("/");
    }

    /** The socket file libpq opens for a socket directory. */
    public String socketPath() {
        return (host.endsWith("/") ? host : host + "/") + ".s.PGSQL." + port;
    }

    /** {@code host:port}, safe to print. */
    public String describe() {
        return host + ":" + port;
    }
}
