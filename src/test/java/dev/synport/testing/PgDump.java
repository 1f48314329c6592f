package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system's {@code pg_dump} (the embedded server's binaries have none): from
 * {@code SYNPORT_PG_DUMP}, else PostgreSQL 15's Debian path, else {@code pg_dump} on the
 * PATH ({@code apt-get install postgresql-client}). Its major version must not be older
 * than the server's.
 */
public final class PgDump {
    private PgDump() {}

    /** The executable, or empty if none is installed. */
    public static java.util.Optional<String> executable() {
        String configured = System.getenv("SYNPORT_PG_DUMP");
        if (configured != null && !configured.isBlank()) {
            return java.util.Optional.of(configured);
        }
        for (String candidate : List.of("/usr/lib/postgresql/15/bin/pg_dump", "/usr/bin/pg_dump")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }

    /** {@code pg_dump --schema-only --no-owner --no-acl --no-tablespaces} of {@code database}. */
    public static String schemaOnly(PostgresServer server, String database) {
        String exe = executable().orElseThrow(() -> new IllegalStateException(
                "pg_dump not found: install postgresql-client or set SYNPORT_PG_DUMP"));
        List<String> command = new ArrayList<>(List.of(exe, "--schema-only", "--no-owner", "--no-acl",
                "--no-tablespaces", "--host", server.host(), "--port", Integer.toString(server.port()),
                "--username", server.user(), "--dbname", database));
        try {
            Path err = Files.createTempFile("pg_dump", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            env.put("PGPASSWORD", server.password());
            env.put("PGCONNECT_TIMEOUT", "10");
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("pg_dump failed: " + Files.readString(err));
            }
            Files.deleteIfExists(err);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
