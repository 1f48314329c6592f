package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synport.testing.Cli;
import dev.synport.testing.Command;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot with a pending write-ahead log in a directory the tool cannot write to (a
 * read-only bind mount as root, a mode 555 directory otherwise): SQLite alone cannot open it
 * there, the port reads a private copy and ports the log's committed transactions.
 */
@ExtendWith(PostgresExtension.class)
class ReadOnlySnapshotIT {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path dir;

    @Test
    void walSnapshotInAReadOnlyDirectoryIsPortedWithTheTransactionsInItsLog(PostgresServer pg) throws Exception {
        Path source = walSnapshot(dir.resolve("snapshot"));
        String before = CurrentSchemaIT.sha256(source.resolve("wal.db")) + CurrentSchemaIT.sha256(source.resolve("wal.db-wal"));
        Target target = Target.create(pg, "wal_read_only", "pg-v94-synapse-init.sql", dir);
        Cli.Result result;
        Path readOnly;
        try (ReadOnlyView view = ReadOnlyView.of(source, dir.resolve("mnt"))) {
            readOnly = view.path();
            Path sqlite = readOnly.resolve("wal.db");
            // what SQLite does there by itself: it cannot create the log's index beside it
            assertThatThrownBy(() -> users(DriverManager.getConnection("jdbc:sqlite:file:" + sqlite + "?mode=ro")))
                    .hasMessageContaining("SQLITE_CANTOPEN");

            result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config", target.config().toString(),
                    "--report", dir.resolve("r.jsonl").toString());
        }

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Matcher copy = Pattern.compile("Copying the snapshot and its write-ahead log \\(\\d+\\.\\d MB\\) to (\\S+):"
                + " SQLite cannot read a pending log in the read-only directory " + Pattern.quote(readOnly.toString()))
                .matcher(result.out());
        assertThat(copy.find()).as(result.out()).isTrue();
        assertThat(Path.of(copy.group(1))).as("the private copy, deleted at the end").doesNotExist();
        try (Connection c = target.connect()) {
            assertThat(users(c)).containsExactly("@walter:portdb.test", "@wilma:portdb.test");
        }
        try (Stream<Path> files = Files.list(source)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("wal.db", "wal.db-wal");
        }
        assertThat(CurrentSchemaIT.sha256(source.resolve("wal.db")) + CurrentSchemaIT.sha256(source.resolve("wal.db-wal")))
                .isEqualTo(before);
    }

    @Test
    void walSnapshotInAReadOnlyDirectoryIsRefusedWithTheFixWhenNoCopyFits(PostgresServer pg) throws Exception {
        Assumptions.assumeTrue(ROOT, "needs root to mount a small tmpfs as the temporary directory");
        Path source = walSnapshot(dir.resolve("snapshot"));
        Target target = Target.create(pg, "wal_no_room", null, dir);
        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        mount(List.of("-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny.toString()));
        Command.Result result;
        Path sqlite;
        try (ReadOnlyView view = ReadOnlyView.of(source, dir.resolve("mnt"))) {
            sqlite = view.path().resolve("wal.db");
            result = Command.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + tiny, "-jar", JarRun.jar().toString(), "--sqlite-database", sqlite.toString(),
                    "--postgres-config", target.config().toString(), "--report", dir.resolve("r.jsonl").toString()));
        } finally {
            umount(tiny);
        }

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
        assertThat(result.err()).matches("error: the SQLite database " + Pattern.quote(sqlite.toString()) + " has a"
                + " pending write-ahead log \\(wal\\.db-wal\\) in a read-only directory, where SQLite cannot read it, and"
                + " a private copy \\(\\d+\\.\\d MB\\) does not fit in " + Pattern.quote(tiny.toString())
                + " \\(\\d+\\.\\d MB free\\); on the homeserver, where the database is writable, make a snapshot"
                + " without a log: sqlite3 wal\\.db \"\\.backup snapshot\\.db\", and port that; or give the JVM a"
                + " temporary directory with room: JAVA_OPTS=-Djava\\.io\\.tmpdir=DIR\n");
        try (Connection c = target.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("tables in the target").isZero();
        }
    }

    /**
     * A WAL-mode Synapse database copied with its log while the log holds a committed
     * insert (@wilma) that the database file lacks; an earlier one (@walter) is checkpointed.
     */
    private static Path walSnapshot(Path into) throws Exception {
        Path live = Files.createDirectories(into.resolveSibling("live")).resolve("wal.db");
        Files.copy(Fixtures.file("synapse-v94-empty.db"), live);
        Files.createDirectories(into);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("PRAGMA wal_autocheckpoint = 0");
            st.execute("INSERT INTO users (name, creation_ts, is_guest, deactivated, admin)"
                    + " VALUES ('@walter:portdb.test', 1, 0, 0, 0)");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            st.execute("INSERT INTO users (name, creation_ts, is_guest, deactivated, admin)"
                    + " VALUES ('@wilma:portdb.test', 2, 0, 0, 0)");
            Files.copy(live, into.resolve("wal.db"));
            Files.copy(Path.of(live + "-wal"), into.resolve("wal.db-wal"));
        }
        assertThat(Files.size(into.resolve("wal.db-wal"))).isPositive();
        return into;
    }

    private static List<String> users(Connection c) throws SQLException {
        try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM users ORDER BY name")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    private static void mount(List<String> args) {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(args);
        Command.Result mount = Command.run(command);
        Assumptions.assumeTrue(mount.exitCode() == 0, () -> "cannot mount here: " + mount);
    }

    /** Unmounts at once, even while a file under it is still open (after a failure). */
    private static void umount(Path mountPoint) {
        Command.Result umount = Command.run(List.of("umount", "--lazy", mountPoint.toString()));
        assertThat(umount.exitCode()).as(umount.toString()).isZero();
    }

    /** {@code source} seen read-only: bind-mounted read-only as root (root writes anywhere else), else mode 555. */
    private record ReadOnlyView(Path source, Path path) implements AutoCloseable {
        static ReadOnlyView of(Path source, Path mountPoint) throws IOException {
            if (ROOT) {
                Files.createDirectories(mountPoint);
                mount(List.of("--bind", "-o", "ro", source.toString(), mountPoint.toString()));
                return new ReadOnlyView(source, mountPoint);
            }
            Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("r-xr-xr-x"));
            return new ReadOnlyView(source, source);
        }

        @Override
        public void close() throws IOException {
            if (path.equals(source)) {
                Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else {
                umount(path);
            }
        }
    }
}
