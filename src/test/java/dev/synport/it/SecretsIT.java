package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.report.Json;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.MidCopy;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password is only in the YAML: it never appears, raw, URL-encoded or JSON-escaped, in
 * the log, the report, the summary JSON, stdout, stderr or the process's command line, in a
 * successful port, a verbose rerun, a wrong-password run or a run whose connections are cut
 * mid-copy; and the files the tool creates are readable by their owner only (mode 0600).
 */
@ExtendWith(PostgresExtension.class)
class SecretsIT {
    private static final String ROLE = "secrets_porter";
    private static final String PASSWORD = "it's a \"p@ss:w0rd\" of 100% \\ and more";

    @Test
    void thePasswordAppearsNowhereAndTheFilesArePrivate(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 3000, 7);
        Target target = Target.create(pg, "secrets_target", null, dir);
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + PASSWORD.replace("'", "''") + "'");
            st.execute("ALTER DATABASE secrets_target OWNER TO " + ROLE);
        }
        Path good = config(dir, pg, "good.yaml", PASSWORD);
        Path wrong = config(dir, pg, "wrong.yaml", PASSWORD + "x");

        List<Path> written = new ArrayList<>();
        Run first = run(dir, "first", sqlite, good, written);
        assertThat(first.exitCode()).as(first.output()).isZero();
        Run verbose = run(dir, "verbose", sqlite, good, written, "-v");
        assertThat(verbose.exitCode()).as(verbose.output()).isZero();
        Run refused = run(dir, "refused", sqlite, wrong, written, "-v");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("password authentication failed");

        Target cut = Target.create(pg, "secrets_cut", null, dir);
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE secrets_cut OWNER TO " + ROLE);
        }
        Path cutConfig = Files.writeString(dir.resolve("cut.yaml"),
                Files.readString(good).replace("database: secrets_target", "database: secrets_cut")
                        + "    connect_timeout: 2\n");
        List<String> args = args(dir, "cut", Fixtures.synthetic("synapse-v94-empty.db", 20000, 3), cutConfig, written, "-v");
        Process process = JarRun.start(List.of(), dir.resolve("cut.out"), dir.resolve("cut.err"),
                args.toArray(String[]::new));
        String commandLine = Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"))
                .replace('\0', ' ');
        assertThat(MidCopy.await(cut, process)).as("reached the middle of a table").isTrue();
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + ROLE + " PASSWORD 'changed meanwhile'");
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'");
        }
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String cutOutput = Files.readString(dir.resolve("cut.out")) + Files.readString(dir.resolve("cut.err"));
        assertThat(process.exitValue()).as(cutOutput).isNotZero();
        assertThat(Files.readString(dir.resolve("cut.err"))).as(cutOutput).startsWith("error: ");
        written.add(dir.resolve("cut.out"));
        written.add(dir.resolve("cut.err"));

        for (String form : forms()) {
            assertThat(commandLine).as("the command line").doesNotContain(form);
            for (Path file : written) {
                if (Files.exists(file)) {
                    assertThat(Files.readString(file)).as("%s holds the password as %s", file, form)
                            .doesNotContain(form);
                }
            }
        }
        for (String name : List.of("first.log", "first.jsonl", "first.json", "verbose.log", "refused.log",
                "cut.log", "cut.json")) {
            Path file = dir.resolve(name);
            assertThat(file).as(name).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(name)
                    .isEqualTo("rw-------");
        }
    }

    /** The password as it could be written out: raw, URL-encoded (both ways of a space) and JSON-escaped. */
    private static List<String> forms() {
        String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        String json = Json.string(PASSWORD);
        return List.of(PASSWORD, encoded, encoded.replace("+", "%20"), json.substring(1, json.length() - 1));
    }

    private static Path config(Path dir, PostgresServer pg, String name, String password) throws Exception {
        String quoted = "\"" + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        return Files.writeString(dir.resolve(name), "server_name: portdb.test\ndatabase:\n  name: psycopg2\n"
                + "  args:\n    user: " + ROLE + "\n    password: " + quoted + "\n    database: secrets_target\n"
                + "    host: " + pg.host() + "\n    port: " + pg.port() + "\n");
    }

    private record Run(int exitCode, String output) {}

    private static Run run(Path dir, String name, Path sqlite, Path config, List<Path> written, String... more)
            throws Exception {
        Process p = JarRun.start(List.of(), dir.resolve(name + ".out"), dir.resolve(name + ".err"),
                args(dir, name, sqlite, config, written, more).toArray(String[]::new));
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        written.add(dir.resolve(name + ".out"));
        written.add(dir.resolve(name + ".err"));
        return new Run(p.exitValue(), Files.readString(dir.resolve(name + ".out"))
                + Files.readString(dir.resolve(name + ".err")));
    }

    private static List<String> args(Path dir, String name, Path sqlite, Path config, List<Path> written,
            String... more) {
        List<String> files = List.of(name + ".log", name + ".jsonl", name + ".json");
        files.forEach(f -> written.add(dir.resolve(f)));
        List<String> args = new ArrayList<>(List.of("--sqlite-database", sqlite.toString(), "--postgres-config",
                config.toString(), "--log-file", dir.resolve(files.get(0)).toString(), "--report",
                dir.resolve(files.get(1)).toString(), "--summary-json", dir.resolve(files.get(2)).toString(),
                "--batch-size", "200"));
        args.addAll(List.of(more));
        return args;
    }
}
