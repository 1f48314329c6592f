package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A writable copy of a fixture snapshot, changed by a few SQL statements (the fixtures are read-only). */
public final class SnapshotCopy {
    private SnapshotCopy() {}

    public static Path of(Path fixture, Path copy, String... statements) {
        try {
            Files.copy(fixture, copy);
            copy.toFile().setWritable(true);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy); Statement st = c.createStatement()) {
                for (String sql : statements) {
                    st.execute(sql);
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the empty v72 snapshot whose only account is {@code userId}. */
    public static Path withUser(Path copy, String userId) {
        return of(Fixtures.file("synapse-v72-empty.db"), copy,
                "INSERT INTO users (name, creation_ts) VALUES ('" + userId.replace("'", "''") + "', 1)");
    }
}
