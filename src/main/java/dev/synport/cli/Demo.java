package dev.synport.cli;

import dev.synport.FailureReason;
import dev.synport.Identifiers;
import dev.synport.PortException;
import dev.synport.sqlite.Snapshot;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.ProcessBuilder.Redirect;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code --demo}: starts a temporary PostgreSQL from the embedded binaries, ports a Synapse
 * SQLite database (the bundled sample unless one is given) into an empty database there,
 * twice, as the first run and a rerun of a real migration, each exactly as the command
 * ports; then shows what arrived, stops the server and deletes its directory.
 */
final class Demo {
    /** The tables whose counts the demo shows, on both sides. */
    private static final List<String> COUNTED = List.of("events", "users", "rooms", "room_memberships",
            "state_groups", "event_search");
    private static final String DATABASE = "synapse";
    static final String SAMPLE = "synapse-v72-small.db";
    /** What the demo writes in its temporary directory, beside the server's data. */
    private static final String SERVER_LOG = "postgres.log";
    private static final String CONFIG = "homeserver-postgres.yaml";
    /** The port's log; its report, if any, goes beside it. */
    private static final String PORT_LOG = "port-synapse.log";

    /** One port as the command runs it; returns its exit code. */
    @FunctionalInterface
    interface PortRun {
        int port(Path sqlite, Path postgresConfig, Path log);
    }

    private final PrintWriter out;
    private final PortRun portRun;

    Demo(PrintWriter out, PortRun portRun) {
        this.out = out;
        this.portRun = portRun;
    }

    /** Runs the demo on {@code sqlite}; returns the exit code of the first port that failed, else 0. */
    int run(Path sqlite) {
        Path work;
        try {
            work = Files.createTempDirectory("synapse-port-db-demo-");
        } catch (IOException e) {
            throw new PortException(FailureReason.PORT_FAILED, "cannot create the demo's temporary directory in "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
        // removed below; registered too in case the JVM is stopped first (Ctrl-C), deepest last
        Stream.of("", SERVER_LOG, CONFIG, PORT_LOG)
                .forEach(name -> work.resolve(name).toFile().deleteOnExit());
        say("synapse-port-db demo: ports the Synapse SQLite database " + sqlite + " into a temporary PostgreSQL.");
        int code;
        try {
            code = withServer(sqlite, work);
        } finally {
            deleteTree(work);
        }
        say("The server was temporary: it is stopped, and " + work + " with its data is deleted.");
        if (code == ExitCodes.OK) {
            say("To port your own homeserver: synapse-port-db --sqlite-database homeserver.db.snapshot"
                    + " --postgres-config homeserver-postgres.yaml");
        }
        return code;
    }

    private int withServer(Path sqlite, Path work) {
        Path log = work.resolve(SERVER_LOG);
        say("Starting a temporary PostgreSQL server in " + work + " (server log: " + log + ")");
        try (EmbeddedPostgres server = start(work, log)) {
            String version = createDatabase(server);
            Path config = work.resolve(CONFIG);
            Files.writeString(config, "database:\n  name: psycopg2\n  args:\n    user: postgres\n    database: "
                    + DATABASE + "\n    host: localhost\n    port: " + server.getPort() + "\n    cp_min: 1\n    cp_max: 5\n");
            say("PostgreSQL " + version + " is listening on localhost:" + server.getPort() + "; the database \""
                    + DATABASE + "\" is empty (UTF8, C locale): the port creates Synapse's schema in it.");
            Path portLog = work.resolve(PORT_LOG);
            say("");
            say("== First run: synapse-port-db --sqlite-database " + sqlite + " --postgres-config " + config);
            int code = portRun.port(sqlite, config, portLog);
            if (code != ExitCodes.OK) {
                return code;
            }
            say("");
            say("== Second run, the same command again: what every rerun of a real migration does with a newer snapshot");
            code = portRun.port(sqlite, config, portLog);
            if (code != ExitCodes.OK) {
                return code;
            }
            say("");
            showCounts(server, sqlite);
            say("The data is in the database \"" + DATABASE + "\" at localhost:" + server.getPort() + " (data directory "
                    + work.resolve("data") + "); stopping the server now.");
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new PortException(FailureReason.PORT_FAILED, "the demo's temporary PostgreSQL failed: "
                    + e.getMessage() + " (see its log " + log + ")", e);
        } catch (SQLException e) {
            throw new PortException(FailureReason.PORT_FAILED, "the demo's temporary PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgres start(Path work, Path log) {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(work.resolve("data"))
                    .setCleanDataDirectory(true)
                    .setLocaleConfig("locale", "C")
                    .setLocaleConfig("encoding", "UTF8")
                    // a throwaway server: no need to survive a power cut
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setOutputRedirector(Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException | IllegalStateException e) {
            throw new PortException(FailureReason.PORT_FAILED, "cannot start the demo's temporary PostgreSQL: "
                    + e.getMessage() + " (see its log " + log + ")", e);
        }
    }

    /** Creates the empty target as Synapse's docs ask for it; returns the server's version. */
    private static String createDatabase(EmbeddedPostgres server) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + Identifiers.quote(DATABASE)
                    + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
            try (ResultSet rs = st.executeQuery("SHOW server_version")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private void showCounts(EmbeddedPostgres server, Path sqlite) throws SQLException {
        say("Rows after the two runs:");
        say(String.format(Locale.ROOT, "  %-16s %12s %12s", "table", "PostgreSQL", "snapshot"));
        try (Connection pg = server.getDatabase("postgres", DATABASE).getConnection();
                Snapshot snapshot = Snapshot.locate(sqlite, notice -> { });
                Connection lite = snapshot.open()) {
            for (String table : COUNTED) {
                say(String.format(Locale.ROOT, "  %-16s %,12d %,12d", table, count(pg, table), count(lite, table)));
            }
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + Identifiers.quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new PortException(FailureReason.PORT_FAILED, "cannot delete the demo's directory " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The bundled sample: in {@code sample/} of the unpacked release, else in the fixtures of
     * a source checkout ({@code -Dfixtures.dir}, or {@code ../shared/fixtures} beside it).
     */
    static Path bundledSample() {
        Path home = installDirectory();
        List<Path> candidates = new ArrayList<>();
        candidates.add(home.resolve("sample").resolve(SAMPLE));
        String fixtures = System.getProperty("fixtures.dir");
        if (fixtures != null) {
            candidates.add(Path.of(fixtures).resolve(SAMPLE));
        }
        candidates.add(home.resolveSibling("shared").resolve("fixtures").resolve(SAMPLE));
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new PortException(
                FailureReason.SQLITE_MISSING, "the demo's sample database is missing: no "
                        + String.join(" nor ", candidates.stream().map(Path::toString).toList())
                        + "; unpack the whole release, or give a Synapse SQLite database with --demo --sqlite-database FILE"));
    }

    /** The release's directory (lib/ holds the jar), or the checkout's (target/ holds it). */
    private static Path installDirectory() {
        CodeSource code = Demo.class.getProtectionDomain().getCodeSource();
        try {
            if (code != null) {
                Path parent = Path.of(code.getLocation().toURI()).toAbsolutePath().normalize().getParent();
                if (parent != null && parent.getParent() != null) {
                    return parent.getParent();
                }
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file: the lookup below says so
        }
        throw new PortException(FailureReason.SQLITE_MISSING, "cannot tell where synapse-port-db is installed, so"
                + " not where its sample is; give a Synapse SQLite database with --demo --sqlite-database FILE");
    }
}
