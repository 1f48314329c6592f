package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SnapshotCopy;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a run writes: a log or report path that cannot be written stops the run before
 * the target is touched (exit 2, naming the path); the report goes beside the log by default,
 * is readable by its owner only, and names each row by its key.
 */
@ExtendWith(PostgresExtension.class)
class OutputFilesIT {
    @TempDir
    Path dir;

    @Test
    void reportInADirectoryThatDoesNotExistIsRefusedBeforeTheTargetIsTouched(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "outputs_report", "pg-v72-synapse-init.sql", dir);
        DatabaseState before = target.state();
        Path report = dir.resolve("no-such-dir").resolve("report.jsonl");
        Path log = dir.resolve("port-synapse.log");

        Cli.Result result = port(target, "--report", report.toString(), "--log-file", log.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: cannot write the report " + report + ": the directory "
                + report.getParent() + " does not exist; choose another path with --report\n");
        assertThat(target.state().differences(before)).isEmpty();
        assertThat(target.hasTrackingTable()).isFalse();
        assertThat(report.getParent()).doesNotExist();
        assertThat(Files.readString(log)).contains(" ERROR [main] dev.synport.cli.PortCommand - the run failed:"
                + " cannot write the report " + report);
    }

    @Test
    void logFileThatIsADirectoryIsRefusedBeforeTheTargetIsTouched(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "outputs_log", "pg-v72-synapse-init.sql", dir);
        DatabaseState before = target.state();
        Path log = Files.createDirectory(dir.resolve("port-synapse.log"));

        Cli.Result result = port(target, "--log-file", log.toString(), "--report", dir.resolve("r.jsonl").toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: cannot write the log file " + log + ": it is a directory;"
                + " choose another path with --log-file\n");
        assertThat(target.state().differences(before)).isEmpty();
        assertThat(target.hasTrackingTable()).isFalse();
        assertThat(dir.resolve("r.jsonl")).doesNotExist();
    }

    /** Run as {@code nobody} (root may write anywhere): a directory of root's, mode 0755. */
    @Test
    void logFileInADirectoryTheUserMayNotWriteIsRefused() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = Files.writeString(dir.resolve("homeserver.yaml"), "database:\n  name: psycopg2\n  args:\n"
                + "    user: synapse\n    database: synapse\n    host: 127.0.0.1\n");
        Path log = dir.resolve("port-synapse.log");
        Path stderr = dir.resolve("stderr.txt");

        Process process = JarRun.start(JarRun.AS_NOBODY, dir.resolve("stdout.txt"), stderr, "--sqlite-database",
                Fixtures.file("synapse-v72-empty.db").toString(), "--postgres-config", config.toString(),
                "--log-file", log.toString());

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(stderr)).isEqualTo("error: cannot write the log file " + log + ": permission"
                + " denied; choose another path with --log-file\n");
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(log).doesNotExist();
    }

    /**
     * The synthetic snapshot's room_memberships rows carry NULs in display_name: each is
     * reported with the row's key (room_memberships' primary key is event_id), which names
     * the same row as the rowid does in the snapshot.
     */
    @Test
    void defaultReportIsBesideTheLogPrivateAndNamesRowsByTheirKey(PostgresServer pg) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v72-empty.db", 300, 5);
        Target target = Target.create(pg, "outputs_keys", "pg-v72-synapse-init.sql", dir);
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Path log = logs.resolve("port.log");

        Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--log-file", log.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<Path> reports;
        try (Stream<Path> files = Files.list(logs)) {
            reports = files.filter(p -> p.getFileName().toString().matches("synapse-port-db-report-\\d{8}T\\d{6}Z\\.jsonl"))
                    .toList();
        }
        assertThat(reports).hasSize(1);
        Path report = reports.get(0);
        assertThat(result.out()).contains("repaired and 0 rows rejected: see " + report);
        assertThat(Files.getPosixFilePermissions(report)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Pattern membership = Pattern.compile("\\{\"table\":\"room_memberships\",\"rowid\":(-?\\d+),"
                + "\"key\":\\{\"event_id\":\"([^\"]+)\"},\"column\":\"display_name\",.*");
        int checked = 0;
        try (Connection s = java.sql.DriverManager.getConnection("jdbc:sqlite:file:" + sqlite + "?mode=ro");
                PreparedStatement ps = s.prepareStatement("SELECT event_id FROM room_memberships WHERE rowid = ?")) {
            for (String line : Files.readAllLines(report)) {
                assertThat(line).as("every line has a key").containsPattern("^\\{\"table\":\"[^\"]+\",\"rowid\":"
                        + "-?\\d+,\"key\":(null|\\{.+}),\"column\":");
                Matcher m = membership.matcher(line);
                if (m.matches()) {
                    ps.setLong(1, Long.parseLong(m.group(1)));
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(m.group(2)).isEqualTo(rs.getString(1));
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).as("room_memberships findings checked in " + Files.readString(report)).isPositive();
    }

    private Cli.Result port(Target target, String... options) {
        Path snapshot = SnapshotCopy.withUser(dir.resolve("homeserver.db"), "@admin:portdb.test");
        List<String> args = new java.util.ArrayList<>(List.of("--sqlite-database", snapshot.toString(),
                "--postgres-config", target.config().toString()));
        args.addAll(List.of(options));
        return Cli.run(args.toArray(String[]::new));
    }
}
