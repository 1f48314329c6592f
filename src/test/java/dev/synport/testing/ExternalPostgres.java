package dev.synport.testing;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** An existing server: {@code jdbc:postgresql://host:port/postgres?user=U&password=P}. */
record ExternalPostgres(String host, int port, String user, String password) implements PostgresServer {

    static ExternalPostgres of(String jdbcUrl) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        Map<String, String> query = new HashMap<>();
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return new ExternalPostgres(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                query.getOrDefault("user", "postgres"), query.getOrDefault("password", ""));
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
