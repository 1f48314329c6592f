package dev.synport.testing;

import org.testcontainers.containers.PostgreSQLContainer;

/** PostgreSQL in a container, for machines with a Docker engine. */
final class ContainerPostgres implements PostgresServer {
    private final PostgreSQLContainer<?> container;

    ContainerPostgres() {
        container = new PostgreSQLContainer<>("postgres:15-alpine")
                .withEnv("POSTGRES_INITDB_ARGS", "--encoding=UTF8 --locale=C");
        container.start();
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getFirstMappedPort();
    }

    @Override
    public String user() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public void close() {
        container.stop();
    }
}
