package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.JarRun;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SnapshotCopy;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which snapshot goes where: a snapshot of another homeserver is refused by a target that
 * already holds a port, before anything is written; a snapshot the user may not read says so.
 */
@ExtendWith(PostgresExtension.class)
class SnapshotIdentityIT {
    @TempDir
    Path dir;

    @Test
    void snapshotOfAnotherServerIsRefusedByATargetHoldingAPort(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "identity_other", "pg-v72-synapse-init.sql", dir);
        Path ours = SnapshotCopy.withUser(dir.resolve("ours.db"), "@admin:one.example");
        Cli.Result first = port(ours, target);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        DatabaseState before = target.state();
        Path theirs = SnapshotCopy.withUser(dir.resolve("theirs.db"), "@admin:two.example:8448");

        Cli.Result second = port(theirs, target);

        assertThat(second.exitCode()).as(second.toString()).isEqualTo(5);
        assertThat(second.err()).isEqualTo("error: this snapshot belongs to server two.example:8448, the target to"
                + " server one.example (the domains of their users); the target already holds a port of one.example:"
                + " give a snapshot of one.example, or port this one into a new, empty database\n");
        assertThat(target.state().differences(before)).as("nothing written").isEmpty();
    }

    @Test
    void newerSnapshotOfTheSameServerIsPortedOverTheEarlierPort(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "identity_same", "pg-v72-synapse-init.sql", dir);
        Cli.Result first = port(SnapshotCopy.withUser(dir.resolve("first.db"), "@admin:one.example"), target);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Path newer = SnapshotCopy.of(dir.resolve("first.db"), dir.resolve("newer.db"),
                "INSERT INTO users (name, creation_ts) VALUES ('@bob:one.example', 2)");

        Cli.Result second = port(newer, target);

        assertThat(second.exitCode()).as(second.toString()).isZero();
        try (Connection c = target.connect();
                var rs = c.createStatement().executeQuery("SELECT string_agg(name, ',' ORDER BY name) FROM users")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("@admin:one.example,@bob:one.example");
        }
    }

    /**
     * The tests run as root, whom file modes do not stop; the packaged jar runs here as
     * {@code nobody} (setpriv), who may not read a mode-000 snapshot, nor look into a mode-700
     * directory of root's.
     */
    @ParameterizedTest
    @CsvSource({"---------, rwxrwxrwx", "rw-r--r--, rwx------"})
    void unreadableSnapshotSaysPermissionDenied(String fileMode, String directoryMode) throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Path hidden = Files.createDirectory(dir.resolve("hidden"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path snapshot = SnapshotCopy.withUser(hidden.resolve("homeserver.db"), "@admin:one.example");
        Files.setPosixFilePermissions(snapshot, PosixFilePermissions.fromString(fileMode));
        Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString(directoryMode));
        Path config = Files.writeString(shared.resolve("homeserver.yaml"), "database:\n  name: psycopg2\n  args:\n"
                + "    user: synapse\n    database: synapse\n    host: 127.0.0.1\n");
        Path stderr = shared.resolve("stderr.txt");
        Process process = JarRun.start(JarRun.AS_NOBODY, shared.resolve("stdout.txt"), stderr, "--sqlite-database",
                snapshot.toString(), "--postgres-config", config.toString(), "--log-file",
                shared.resolve("port-synapse.log").toString());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(Files.readString(stderr)).isEqualTo("error: cannot read the SQLite database " + snapshot
                + ": permission denied; run the port as a user who may read it (e.g. the one Synapse runs as)\n");
        assertThat(process.exitValue()).isEqualTo(1);
    }

    private Cli.Result port(Path snapshot, Target target) {
        return Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config", target.config().toString(),
                "--log-file", dir.resolve("port-synapse.log").toString());
    }
}
