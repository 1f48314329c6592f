package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.postgres.PortLock;
import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of bad input ends with one {@code error: } line on stderr that says what to do,
 * the documented exit code, no stack trace (unless {@code -v}), and an untouched target and
 * snapshot. Each test that needs a Synapse-prepared target gets its own copy of one restored
 * once ({@code CREATE DATABASE ... TEMPLATE}), so the tests are independent and fast.
 */
@ExtendWith(PostgresExtension.class)
class BadInputIT {
    private static final String TEMPLATE = "badinput_template_v72";
    private static final Path EMPTY_V72 = Fixtures.file("synapse-v72-empty.db");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static DatabaseState prepared;

    @TempDir
    Path dir;

    /** The runs' log files, apart from {@link #dir} whose content some tests check. */
    @TempDir
    Path logs;

    @BeforeAll
    static void restoreTemplate(PostgresServer pg, @TempDir Path setup) throws SQLException {
        Target.create(pg, TEMPLATE, "pg-v72-synapse-init.sql", setup);
        try (Connection c = pg.connect(TEMPLATE)) {
            prepared = DatabaseState.read(c);
        }
    }

    // ------------------------------------------------------------------ the SQLite snapshot

    @Test
    void missingSqliteFileExitsOneAndCreatesNothing(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path missing = dir.resolve("homeserver.db");

        Cli.Result result = port(missing, target.config());

        assertThat(errorLine(result, 1)).isEqualTo("error: the SQLite database " + missing
                + " does not exist; check the --sqlite-database path");
        assertThat(missing).doesNotExist();
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(target.config().getFileName().toString());
        assertUntouched(target);
    }

    @Test
    void directoryInsteadOfSqliteFileExitsOne(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path directory = Files.createDirectory(dir.resolve("homeserver.db"));

        Cli.Result result = port(directory, target.config());

        assertThat(errorLine(result, 1)).isEqualTo("error: the SQLite database " + directory
                + " is a directory; give the path of the homeserver's .db file with --sqlite-database");
        assertUntouched(target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "text", "empty"})
    void fileThatIsNotSqliteIsRefused(String content, PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path file = dir.resolve(content + ".db");
        switch (content) {
            case "random" -> {
                byte[] bytes = new byte[64 * 1024];
                new Random(7).nextBytes(bytes);
                Files.write(file, bytes);
            }
            case "text" -> Files.writeString(file, "server_name: example.test\ndatabase:\n  name: sqlite3\n");
            default -> Files.createFile(file);
        }
        String digest = sha256(file);

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: " + file
                + " is not a SQLite database (its header is not 'SQLite format 3'); check the --sqlite-database path");
        assertThat(sha256(file)).isEqualTo(digest);
        assertUntouched(target);
    }

    @Test
    void sqliteDatabaseThatIsNotSynapsesIsRefusedAndLeftUnchanged(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path file = dir.resolve("notes.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
            st.execute("INSERT INTO notes (body) VALUES ('hello')");
        }
        String digest = sha256(file);
        List<String> before = filesIn(dir);

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: " + file
                + " is a SQLite database but not a Synapse one (it has no schema_version or events table)");
        assertThat(sha256(file)).isEqualTo(digest);
        assertThat(filesIn(dir)).as("no -journal, -wal or -shm left beside it").isEqualTo(before);
        assertUntouched(target);
    }

    /**
     * Pages 150 to 299 of the 440 in the v72 fixture are overwritten with garbage. The schema
     * table has leaf pages among them, so reading the catalogue (the first thing pre-flight
     * does) fails the same way every time, before PostgreSQL is touched.
     */
    @Test
    void corruptSqliteFileIsRefusedBeforeTheTargetIsTouched(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path file = copyOfEmptyV72("corrupt.db");
        byte[] garbage = new byte[150 * 4096];
        new Random(42).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(149L * 4096);
            raf.write(garbage);
        }

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the SQLite database " + file + " is corrupt (the database"
                + " disk image is malformed); check it with sqlite3 and 'PRAGMA integrity_check', then take a new"
                + " snapshot from a healthy copy");
        assertUntouched(target);
    }

    @Test
    void snapshotWithAutoVacuumIsRefused(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path file = copyOfEmptyV72("autovacuum.db");
        sqlite(file, "PRAGMA auto_vacuum = FULL", "VACUUM");

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: auto_vacuum is enabled in the SQLite database, so rowids"
                + " may change between runs; stop Synapse, run 'PRAGMA auto_vacuum = 0; VACUUM;' on it, then take a"
                + " new snapshot");
        assertUntouched(target);
    }

    @Test
    void snapshotWithPendingBackgroundUpdatesIsRefused(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path file = copyOfEmptyV72("pending.db");
        sqlite(file, "INSERT INTO background_updates (update_name, progress_json) VALUES ('users_have_local_media', '{}')",
                "INSERT INTO background_updates (update_name, progress_json) VALUES ('event_search_order', '{}')");

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the SQLite database has 2 pending background update(s)"
                + " (e.g. 'event_search_order'); start Synapse on it and wait until they have finished, then take a"
                + " new snapshot");
        assertUntouched(target);
    }

    @Test
    void snapshotWithEmptySchemaVersionIsRefused(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path file = copyOfEmptyV72("noversion.db");
        sqlite(file, "DELETE FROM schema_version");

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: " + file + " has an empty schema_version table; is"
                + " Synapse's database initialised? Start Synapse on it once, then take a new snapshot");
        assertUntouched(target);
    }

    // ------------------------------------------------------------------ the config file

    @Test
    void missingConfigFileExitsTwo() {
        Path missing = dir.resolve("homeserver.yaml");

        Cli.Result result = port(EMPTY_V72, missing);

        assertThat(errorLine(result, 2)).isEqualTo("error: config file " + missing
                + " does not exist; check the --postgres-config path");
        assertThat(missing).doesNotExist();
    }

    @Test
    void configThatIsNotYamlExitsTwoNamingTheLine() throws IOException {
        Path config = write("homeserver.yaml", "database:\n  name: psycopg2\n  args:\n    user: [postgres\n");

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 2)).isEqualTo("error: config file " + config
                + " is not valid YAML: expected ',' or ']', but got <stream end> at line 5, column 1");
    }

    @Test
    void configWithoutDatabaseSectionExitsFour() throws IOException {
        Path config = write("homeserver.yaml", "server_name: example.test\nreport_stats: false\n");

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 4)).isEqualTo("error: config file " + config + " has no 'database' section");
    }

    @Test
    void databaseSectionWithoutNameExitsTwo() throws IOException {
        Path config = write("homeserver.yaml", "database:\n  args:\n    user: postgres\n");

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 2))
                .isEqualTo("error: database.name: missing; add 'name: psycopg2' to the database section");
    }

    @Test
    void sqliteConnectorExitsThree() throws IOException {
        Path config = write("homeserver.yaml", "database:\n  name: sqlite3\n  args:\n    database: homeserver.db\n");

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 3))
                .isEqualTo("error: database.name: the target must use the 'psycopg2' connector, got 'sqlite3'");
    }

    // ------------------------------------------------------------------ connecting

    @Test
    void wrongPasswordIsRefusedWithoutShowingIt(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS badinput_porter");
            st.execute("CREATE ROLE badinput_porter LOGIN PASSWORD 'the-right-one'");
        }
        Path config = write("wrong.yaml", yaml(pg.host(), pg.port(), target.database(), "badinput_porter",
                "not-the-right-one"));

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 5)).isEqualTo("error: PostgreSQL at " + pg.host() + ":" + pg.port()
                + " refused user 'badinput_porter' (FATAL: password authentication failed for user \"badinput_porter\");"
                + " check database.args.user and database.args.password, and pg_hba.conf");
        assertThat(result.err() + result.out()).doesNotContain("not-the-right-one");
        assertUntouched(target);
    }

    @Test
    void closedPortIsReportedWithWhatToCheck() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        Path config = write("closed.yaml", yaml("127.0.0.1", port, "synapse", "postgres", "secret"));

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 5)).isEqualTo("error: cannot connect to PostgreSQL at 127.0.0.1:" + port
                + ": the connection was refused; check database.args.host and database.args.port, and that"
                + " PostgreSQL is running and accepts TCP connections there");
    }

    @Test
    void unresolvableHostIsReportedByName() throws Exception {
        Path config = write("unknown.yaml", yaml("nonexistent.invalid", 5432, "synapse", "postgres", "secret"));

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 5)).isEqualTo("error: cannot connect to PostgreSQL at nonexistent.invalid:5432:"
                + " unknown host 'nonexistent.invalid'; check database.args.host");
    }

    @Test
    void targetDatabaseThatDoesNotExistSaysHowToCreateIt(PostgresServer pg) throws Exception {
        Path config = write("nodb.yaml", yaml(pg.host(), pg.port(), "badinput_no_such_db", pg.user(), pg.password()));

        Cli.Result result = port(EMPTY_V72, config);

        assertThat(errorLine(result, 5)).isEqualTo("error: PostgreSQL at " + pg.host() + ":" + pg.port()
                + " has no database 'badinput_no_such_db'; create it with: createdb --encoding=UTF8 --locale=C"
                + " --template=template0 --owner=" + pg.user() + " badinput_no_such_db");
        try (Connection c = pg.connect("postgres");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT count(*) FROM pg_database WHERE datname = 'badinput_no_such_db'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the database was not created").isZero();
        }
    }

    /**
     * In-process runs capture only what the command prints; the libraries log to the real
     * stderr. The packaged jar, run as the user runs it, must print the one line too.
     */
    @Test
    void packagedJarPrintsOnlyTheErrorLineWhenItCannotConnect() throws Exception {
        Path jar = Path.of(System.getProperty("port.jar", "target/synapse-port-db.jar"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(jar), "the jar is built by mvn package");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        Path config = write("closed.yaml", yaml("127.0.0.1", port, "synapse", "postgres", "secret"));
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--sqlite-database", EMPTY_V72.toString(), "--postgres-config",
                config.toString(), "--report", dir.resolve("report.jsonl").toString(), "--log-file",
                logs.resolve("port-synapse.log").toString())
                .redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(errorLine(new Cli.Result(process.exitValue(), "", Files.readString(stderr)), 5))
                .isEqualTo("error: cannot connect to PostgreSQL at 127.0.0.1:" + port + ": the connection was"
                        + " refused; check database.args.host and database.args.port, and that PostgreSQL is"
                        + " running and accepts TCP connections there");
    }

    // ------------------------------------------------------------------ the target database

    /**
     * C.UTF-8 sorts like C for ASCII but not beyond, and Synapse refuses it (it compares the
     * locale names with 'C'), so the port refuses it too. The server's catalogue spells it
     * as it was given or canonicalised ({@code C.UTF-8} or {@code C.utf8}): the message quotes it.
     */
    @Test
    void targetWithALocaleOtherThanCIsRefused(PostgresServer pg) throws Exception {
        Target target = emptyTarget(pg, "C.UTF-8");
        String actual = collation(target);
        assertThat(actual).isNotEqualTo("C");

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the target database has LC_COLLATE '" + actual
                + "' and LC_CTYPE '" + actual + "', but Synapse needs C for both; recreate it with: createdb"
                + " --encoding=UTF8 --locale=C --template=template0 --owner=<user> <name>"
                + " (or set database.allow_unsafe_locale: true, at your own risk)");
        assertNoTablesIn(target);
    }

    /**
     * POSIX is the C locale under another name, and PostgreSQL stores it as 'C' (it canonicalises
     * the name through setlocale), which is what Synapse checks too: accepted, and the port
     * creates the schema in the empty database.
     */
    @Test
    void posixLocaleIsStoredAsCAndAccepted(PostgresServer pg) throws Exception {
        Target target = emptyTarget(pg, "POSIX");
        assertThat(collation(target)).isEqualTo("C");

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).doesNotContain("LC_COLLATE");
    }

    @Test
    void allowUnsafeLocaleTurnsTheLocaleErrorIntoAWarning(PostgresServer pg) throws Exception {
        Target target = emptyTarget(pg, "C.UTF-8");
        String actual = collation(target);
        Files.writeString(target.config(), Files.readString(target.config()).replace("database:\n",
                "database:\n  allow_unsafe_locale: true\n"));

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).as("warnings go to stderr").isEqualTo("warning: the target database has LC_COLLATE '"
                + actual + "' and LC_CTYPE '"
                + actual + "', but Synapse needs C for both; going on because database.allow_unsafe_locale is set\n");
        assertThat(result.out()).doesNotContain("warning:");
    }

    @Test
    void nonEmptyTargetWithoutSynapseSchemaIsRefusedAndLeftAlone(PostgresServer pg) throws Exception {
        Target target = emptyTarget(pg, "C");
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id integer PRIMARY KEY, body text)");
            st.execute("INSERT INTO notes VALUES (1, 'keep me')");
        }
        DatabaseState before = state(target);

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the target database is not empty but holds no Synapse"
                + " schema, so it is left alone; give an empty database (the port creates Synapse's schema in it)"
                + " or one prepared with Synapse's update_synapse_database --database-config homeserver-postgres.yaml");
        assertThat(state(target).differences(before)).isEmpty();
        assertThat(hasTrackingTable(target)).isFalse();
    }

    @Test
    void emptyTargetAndASchemaVersionWithoutKnownPostgresSchemaIsRefused(PostgresServer pg) throws Exception {
        Target target = emptyTarget(pg, "C");
        Path file = copyOfEmptyV72("v71.db");
        sqlite(file, "UPDATE schema_version SET version = 71");

        Cli.Result result = port(file, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the snapshot has Synapse schema version 71, but this tool"
                + " can create the PostgreSQL schema only for versions 72-74, 76-89, 91-94; prepare the target"
                + " database with that Synapse release's update_synapse_database (or by starting it on the database"
                + " once), then run the port again");
        assertNoTablesIn(target);
    }

    @Test
    void targetAtAnotherSchemaVersionIsRefused(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "badinput_v84", "pg-v84-synapse-init.sql", dir);
        DatabaseState before = state(target);

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the snapshot is at Synapse schema version 72 but the"
                + " target at 84; prepare the target with the Synapse release that wrote the snapshot (or upgrade"
                + " Synapse on SQLite first and take a new snapshot)");
        assertThat(state(target).differences(before)).isEmpty();
        assertThat(hasTrackingTable(target)).isFalse();
    }

    @Test
    void schemaMismatchAtTheSameVersionNamesTheColumn(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE users DROP COLUMN appservice_id");
        }
        DatabaseState before = state(target);

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the target's schema does not match the snapshot's (both"
                + " at schema version 72): column users.appservice_id is missing in the target; prepare the target"
                + " with the same Synapse release that wrote the snapshot (update_synapse_database --database-config"
                + " homeserver-postgres.yaml)");
        assertThat(state(target).differences(before)).isEmpty();
        assertThat(hasTrackingTable(target)).isFalse();
    }

    @Test
    void targetAlreadyBeingPortedIsRefusedNamingTheHolder(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        try (Connection holder = target.connect()) {
            int pid;
            try (Statement st = holder.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), pg_advisory_lock(" + PortLock.KEY + ")")) {
                rs.next();
                pid = rs.getInt(1);
            }

            Cli.Result result = port(EMPTY_V72, target.config());

            assertThat(errorLine(result, 5)).isEqualTo("error: another port into database '" + target.database()
                    + "' is running (PostgreSQL backend pid " + pid + ", application 'PostgreSQL JDBC Driver');"
                    + " wait for it to finish, or stop it, then run again");
        }
        assertUntouched(target);
    }

    @Test
    void targetThatSynapseHasRunOnIsRefused(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events (topological_ordering, event_id, type, room_id, processed, outlier,"
                    + " stream_ordering) VALUES (1, '$live:example.test', 'm.room.create', '!r:example.test', true,"
                    + " false, 1)");
        }
        DatabaseState before = state(target);

        Cli.Result result = port(EMPTY_V72, target.config());

        assertThat(errorLine(result, 5)).isEqualTo("error: the target database already holds events that no port"
                + " wrote (Synapse has run on it?); porting into it would damage it: use a freshly prepared, empty"
                + " database");
        assertThat(state(target).differences(before)).isEmpty();
        assertThat(hasTrackingTable(target)).isFalse();
    }

    // ------------------------------------------------------------------ the command line

    @Test
    void unknownOptionExitsTwo() {
        Cli.Result result = Cli.run("--sqlite-database", EMPTY_V72.toString(), "--postgres-config", "x.yaml",
                "--frobnicate");

        assertThat(errorLine(result, 2)).isEqualTo("error: unknown option '--frobnicate'; run 'synapse-port-db"
                + " --help' for the options");
    }

    /** picocli would answer "Missing required options" first: the real mistake is named instead. */
    @Test
    void unknownOptionAloneIsNamedRatherThanTheMissingOnes() {
        Cli.Result result = Cli.run("--frobnicate");

        assertThat(errorLine(result, 2)).isEqualTo("error: unknown option '--frobnicate'; run 'synapse-port-db"
                + " --help' for the options");
    }

    @Test
    void strayArgumentIsNamedEvenAfterAnOptionValue() {
        Cli.Result result = Cli.run("--sqlite-database", EMPTY_V72.toString(), "--postgres-config", "x.yaml",
                "--jobs", "2", "homeserver.db");

        assertThat(errorLine(result, 2)).isEqualTo("error: unexpected argument 'homeserver.db' (this command takes"
                + " no positional arguments); run 'synapse-port-db --help' for the options");
    }

    @Test
    void missingSqliteDatabaseOptionExitsTwo() {
        Cli.Result result = Cli.run("--postgres-config", "x.yaml");

        assertThat(errorLine(result, 2)).isEqualTo("error: Missing required option: '--sqlite-database=FILE';"
                + " run 'synapse-port-db --help' for the options");
    }

    /** "-5" is the option's value, not an unknown option. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "-5"})
    void batchSizeBelowOneExitsTwoBeforeReadingAnything(String size) {
        Cli.Result result = Cli.run("--sqlite-database", dir.resolve("none.db").toString(), "--postgres-config",
                dir.resolve("none.yaml").toString(), "--batch-size", size);

        assertThat(errorLine(result, 2)).isEqualTo("error: --batch-size must be at least 1, got " + size + "; run"
                + " 'synapse-port-db --help' for the options");
    }

    @Test
    void batchSizeThatIsNotANumberExitsTwo() {
        Cli.Result result = Cli.run("--sqlite-database", EMPTY_V72.toString(), "--postgres-config", "x.yaml",
                "--batch-size", "lots");

        assertThat(errorLine(result, 2)).isEqualTo("error: Invalid value for option '--batch-size': 'lots' is not"
                + " an int; run 'synapse-port-db --help' for the options");
    }

    @Test
    void helpAndVersionExitZeroOnStdout() {
        Cli.Result help = Cli.run("--help");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.out()).startsWith("Usage: synapse-port-db").contains("--sqlite-database", "Exit codes:");
        assertThat(help.err()).isEmpty();

        Cli.Result version = Cli.run("--version");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("synapse-port-db ");
        assertThat(version.err()).isEmpty();
    }

    @Test
    void verboseAddsTheStackTraceAfterTheErrorLine(PostgresServer pg) throws Exception {
        Target target = preparedTarget(pg);
        Path missing = dir.resolve("homeserver.db");

        Cli.Result result = port(missing, target.config(), "-v");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        List<String> lines = result.err().lines().toList();
        assertThat(lines.get(0)).isEqualTo("error: the SQLite database " + missing
                + " does not exist; check the --sqlite-database path");
        assertThat(lines).hasSizeGreaterThan(2);
        assertThat(lines.get(1)).startsWith("dev.synport.PortException: ");
        assertThat(lines).anyMatch(l -> l.startsWith("\tat dev.synport.sqlite.Snapshot.locate("));
    }

    // ------------------------------------------------------------------ helpers

    /** Asserts the exit code and that stderr is exactly one {@code error: } line without a trace; returns it. */
    private static String errorLine(Cli.Result result, int exitCode) {
        return result.errorLine(exitCode);
    }

    private Cli.Result port(Path sqlite, Path config, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--sqlite-database", sqlite.toString(),
                "--postgres-config", config.toString(), "--report", dir.resolve("report.jsonl").toString(),
                "--log-file", logs.resolve("port-synapse.log").toString()));
        args.addAll(List.of(extra));
        Cli.Result result = Cli.run(Map.of(), args.toArray(String[]::new));
        assertThat(dir.resolve("report.jsonl")).as("no report for a refused port").doesNotExist();
        return result;
    }

    /** A fresh copy of the Synapse-prepared v72 target. */
    private Target preparedTarget(PostgresServer pg) throws IOException, SQLException {
        String name = "badinput_" + COUNTER.incrementAndGet();
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
        }
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, Target.yaml(pg, name));
        return new Target(pg, name, config);
    }

    private Target emptyTarget(PostgresServer pg, String locale) throws IOException, SQLException {
        String name = "badinput_" + COUNTER.incrementAndGet();
        pg.createDatabase(name, locale);
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, Target.yaml(pg, name));
        return new Target(pg, name, config);
    }

    /** The target still equals the Synapse-prepared template and has no tracking table. */
    private static void assertUntouched(Target target) throws SQLException {
        assertThat(state(target).differences(prepared)).isEmpty();
        assertThat(hasTrackingTable(target)).isFalse();
    }

    private static DatabaseState state(Target target) throws SQLException {
        try (Connection c = target.connect()) {
            return DatabaseState.read(c);
        }
    }

    private static boolean hasTrackingTable(Target target) throws SQLException {
        try (Connection c = target.connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT to_regclass('port_from_sqlite3') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void assertNoTablesIn(Target target) throws SQLException {
        try (Connection c = target.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")) {
            rs.next();
            assertThat(rs.getInt(1)).as("relations created in the target").isZero();
        }
    }

    private static String collation(Target target) throws SQLException {
        try (Connection c = target.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Path copyOfEmptyV72(String name) throws IOException {
        Path copy = dir.resolve(name);
        Files.copy(EMPTY_V72, copy);
        copy.toFile().setWritable(true);
        return copy;
    }

    private static void sqlite(Path file, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String yaml(String host, int port, String database, String user, String password) {
        return "database:\n  name: psycopg2\n  args:\n    user: " + user + "\n    password: " + password
                + "\n    database: " + database + "\n    host: " + host + "\n    port: " + port
                + "\n    connect_timeout: 5\n";
    }

    private static List<String> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
