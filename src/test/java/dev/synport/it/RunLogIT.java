package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SnapshotCopy;
import dev.synport.testing.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run appends to a log file (mode 0600) what an admin attaches to a support request: the
 * options, both sides' versions, the phases and tables with timestamps, and on failure the
 * error with its stack trace; {@code -v} adds DEBUG lines, the libraries' included. The
 * password never appears, neither in the log nor on the terminal, nor do library log lines
 * reach the terminal.
 */
@ExtendWith(PostgresExtension.class)
class RunLogIT {
    /** Quotes, spaces, '@', ':' and '%': whatever could slip through a URL or a config dump. */
    private static final String PASSWORD = "p@ss: \"w o%rd'x";
    private static final Path EMPTY_V72 = Fixtures.file("synapse-v72-empty.db");

    @TempDir
    Path dir;

    @Test
    void goodRunsLogOptionsVersionsPhasesAndTablesAppendedAndWithoutThePassword(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "runlog_good", "pg-v72-synapse-init.sql", dir);
        Path config = configFor(pg, target.database(), "runlog_porter", PASSWORD, PASSWORD);
        Path snapshot = SnapshotCopy.withUser(dir.resolve("homeserver.db"), "@admin:portdb.test");
        Path log = Files.createDirectory(dir.resolve("logs")).resolve("port.log");

        Cli.Result first = Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config", config.toString(),
                "--log-file", log.toString(), "--jobs", "2");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.err()).as(first.toString()).isEmpty();
        assertThat(first.out()).contains("The log of this run is in " + log + ".");
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String afterFirst = Files.readString(log);
        assertThat(afterFirst).contains(
                " INFO  [main] dev.synport.cli.PortCommand - ===== synapse-port-db ",
                " started: --sqlite-database " + snapshot + " --postgres-config " + config + " --batch-size 10000"
                        + " --jobs 2 --defer-indexes-from 20000 --log-file " + log + " --progress-interval 5 =====",
                "dev.synport.cli.PortCommand - Java " + System.getProperty("java.version"),
                "dev.synport.run.Porter - snapshot " + snapshot + ": Synapse schema version 72, ",
                " tables, read with SQLite 3.",
                "dev.synport.run.Porter - target: PostgreSQL 15.",
                ", encoding UTF8, LC_COLLATE C, LC_CTYPE C, schema public, Synapse schema version 72",
                "phase: Connecting to PostgreSQL runlog_porter@" + pg.host() + ":" + pg.port() + "/runlog_good",
                "phase: Checking sequences",
                "table users: started, 1 row to copy",
                "table users: finished, 1 row handled this run in ",
                "summary: Port finished in ",
                ": 128 tables, ",
                "===== finished: exit 0 =====");
        assertThat(afterFirst.lines()).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"
                + " (INFO |WARN |ERROR) \\[.+")).as("timestamped, and nothing at DEBUG without -v");

        // without the verification's digests the rerun copies the tables that are not append-only again
        Cli.Result second = Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config", config.toString(),
                "--log-file", log.toString(), "--no-verify", "-v");

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.err()).as(second.toString()).isEmpty();
        String afterSecond = Files.readString(log);
        assertThat(afterSecond).as("appended").startsWith(afterFirst);
        List<String> rerun = afterSecond.substring(afterFirst.length()).lines().toList();
        assertThat(rerun.get(0)).contains("===== synapse-port-db ").endsWith(" --no-verify -v =====");
        assertThat(rerun).anyMatch(l -> l.matches(".* DEBUG \\[copy] dev\\.synport\\.progress\\.LoggingProgress - table"
                + " \\w+: \\d+ more rows committed \\(\\d+ this run\\)"));
        assertThat(rerun).as("the libraries' DEBUG lines, HikariCP's config dump among them")
                .anyMatch(l -> l.contains(" DEBUG ") && l.contains("com.zaxxer.hikari"));
        assertNoSecret(afterSecond, first, second);
    }

    @Test
    void failedRunLogsTheErrorWithItsStackTraceAndTheTerminalGetsOneLine(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "runlog_failed", "pg-v72-synapse-init.sql", dir);
        Path config = configFor(pg, target.database(), "runlog_refused", "not " + PASSWORD, PASSWORD);
        Path log = dir.resolve("port-synapse.log");

        Cli.Result result = Cli.run("--sqlite-database", EMPTY_V72.toString(), "--postgres-config",
                config.toString(), "--log-file", log.toString());

        String error = "PostgreSQL at " + pg.host() + ":" + pg.port() + " refused user 'runlog_refused' (FATAL:"
                + " password authentication failed for user \"runlog_refused\"); check database.args.user and"
                + " database.args.password, and pg_hba.conf";
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
        assertThat(result.err()).isEqualTo("error: " + error + "\n");
        List<String> lines = Files.readAllLines(log);
        int failed = lines.indexOf(lines.stream().filter(l -> l.contains(" ERROR [main] dev.synport.cli.PortCommand"
                + " - the run failed: " + error)).findFirst().orElseThrow());
        assertThat(lines.get(failed + 1)).isEqualTo("dev.synport.PortException: " + error);
        assertThat(lines.subList(failed + 2, lines.size())).anyMatch(l -> l.startsWith("\tat dev.synport.run.Porter."))
                .anyMatch(l -> l.startsWith("Caused by: org.postgresql.util.PSQLException: FATAL: password"
                        + " authentication failed"));
        assertThat(lines.get(lines.size() - 1)).endsWith(" INFO  [main] dev.synport.cli.PortCommand - ===== finished:"
                + " exit 5 =====");
        assertNoSecret(String.join("\n", lines), result);
    }

    /**
     * The packaged jar, run as the admin runs it with {@code -v}: pgjdbc logs the failed
     * connection through java.util.logging (whose own handler would print to stderr), into the
     * file only; the terminal gets the error line and its stack trace, nothing else.
     */
    @Test
    void packagedJarSendsLibraryLoggingToTheFileOnly() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("closed.yaml"), "database:\n  name: psycopg2\n  args:\n"
                + "    user: synapse\n    password: '" + PASSWORD.replace("'", "''") + "'\n    database: synapse\n"
                + "    host: 127.0.0.1\n    port: " + port + "\n");
        Path log = dir.resolve("port-synapse.log");
        Path stderr = dir.resolve("stderr.txt");
        Path stdout = dir.resolve("stdout.txt");
        Process process = JarRun.start(List.of(), stdout, stderr, "--sqlite-database", EMPTY_V72.toString(),
                "--postgres-config", config.toString(), "--log-file", log.toString(), "--report", dir.resolve("r.jsonl").toString(), "-v");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(5);
        List<String> lines = Files.readAllLines(stderr);
        assertThat(lines.get(0)).isEqualTo("error: cannot connect to PostgreSQL at 127.0.0.1:" + port
                + ": the connection was refused; check database.args.host and database.args.port, and that"
                + " PostgreSQL is running and accepts TCP connections there");
        assertThat(lines.subList(1, lines.size())).as("only the stack trace follows").isNotEmpty()
                .allMatch(l -> l.matches("(dev\\.synport\\.PortException: |\tat |Caused by: |\t\\.\\.\\. \\d+ more).*"));
        String text = Files.readString(log);
        assertThat(text).contains(" DEBUG [main] org.postgresql.")
                .contains(" ERROR [main] dev.synport.cli.PortCommand - the run failed: cannot connect to PostgreSQL");
        assertThat(Files.readString(stdout)).doesNotContain("hikari").doesNotContain("postgresql.");
        assertThat(text).doesNotContain(PASSWORD).doesNotContain("w o%rd");
    }

    /**
     * The connections drop in the middle of the copy (the server terminates them): HikariCP and
     * pgjdbc log what they see into the file, and the terminal gets the one error line. The copy
     * of events is held still at a known point by a statement trigger that waits for an
     * advisory lock the test holds.
     */
    @Test
    void droppedConnectionsMidCopyPrintOneLineAndTheLogTellsTheRest(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "runlog_dropped", "pg-v72-synapse-init.sql", dir);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION runlog_hold() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$BEGIN PERFORM pg_advisory_lock(4242); PERFORM pg_advisory_unlock(4242); RETURN NULL; END$$");
            st.execute("CREATE TRIGGER runlog_hold BEFORE INSERT ON events FOR EACH STATEMENT"
                    + " EXECUTE FUNCTION runlog_hold()");
        }
        Path log = dir.resolve("port-synapse.log");
        Path stderr = dir.resolve("stderr.txt");
        Process process;
        try (Connection holder = target.connect(); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(4242)");
            process = JarRun.start(List.of(), dir.resolve("stdout.txt"), stderr, "--sqlite-database",
                    Fixtures.file("synapse-v72-small.db").toString(), "--postgres-config", target.config().toString(),
                    "--log-file", log.toString(), "--report", dir.resolve("r.jsonl").toString());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!copyIsWaiting(st, target.database())) {
                assertThat(process.isAlive()).as("the port waits in the events copy").isTrue();
                assertThat(System.nanoTime()).as("the copy reached events within 3 minutes").isLessThan(deadline);
                Thread.sleep(100);
            }
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + target.database()
                    + "' AND pid <> pg_backend_pid()");
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        }

        assertThat(process.exitValue()).isEqualTo(5);
        List<String> lines = Files.readAllLines(stderr);
        assertThat(lines).as(String.join("\n", lines)).hasSize(1);
        assertThat(lines.get(0)).startsWith("error: ").doesNotContain("\tat ");
        List<String> logged = Files.readAllLines(log);
        assertThat(logged).as("HikariCP's warning, in the file only").anyMatch(l -> l.matches(".* WARN  \\[.+]"
                + " com\\.zaxxer\\.hikari\\.pool\\.ProxyConnection - .* marked as broken because of SQLSTATE\\(.+"));
        assertThat(logged).anyMatch(l -> l.contains(" ERROR [main] dev.synport.cli.PortCommand - the run failed: "
                + lines.get(0).substring("error: ".length()))).anyMatch(l -> l.startsWith("\tat "));
        assertThat(logged.get(logged.size() - 1)).endsWith("===== finished: exit 5 =====");
    }

    private static boolean copyIsWaiting(Statement st, String database) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
                + "' AND wait_event_type = 'Lock' AND wait_event = 'advisory'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }


    /** Neither the password nor a piece of it, in any of the files or streams given. */
    private static void assertNoSecret(String log, Cli.Result... results) {
        for (String text : List.of(log, results[0].out() + results[0].err(),
                results[results.length - 1].out() + results[results.length - 1].err())) {
            assertThat(text).doesNotContain(PASSWORD).doesNotContain("w o%rd").doesNotContain("p%40ss");
        }
    }

    /** A login role whose password is {@code rolePassword}, and a config that gives {@code configPassword}. */
    private Path configFor(PostgresServer pg, String database, String role, String rolePassword, String configPassword)
            throws Exception {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + role);
            st.execute("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + rolePassword.replace("'", "''") + "'");
        }
        return Files.writeString(dir.resolve(role + ".yaml"), "server_name: portdb.test\ndatabase:\n"
                + "  name: psycopg2\n  args:\n    user: " + role + "\n    password: '"
                + configPassword.replace("'", "''") + "'\n    database: " + database + "\n    host: " + pg.host()
                + "\n    port: " + pg.port() + "\n");
    }
}
