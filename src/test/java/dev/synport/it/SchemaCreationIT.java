package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synport.schema.PostgresKnowledge;
import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PgDump;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every reference {@code pg-vNN-schema.sql} in the fixtures (a snapshot of a schema the tool
 * does not know is refused, before anything is written, for an empty target): porting
 * {@code synapse-vNN-empty.db} into an empty database leaves a schema that dumps exactly as
 * the reference (Synapse's own CI check for its port script), apart from pg_dump's header and
 * the tracking table; and the small v72 fixture ported into an empty database ends with the
 * official port's data and sequences.
 */
@ExtendWith(PostgresExtension.class)
class SchemaCreationIT {
    static Stream<Integer> versions() {
        return Fixtures.schemaVersions().stream();
    }

    @Test
    void everyReferenceVersionIsSupported() {
        assertThat(PostgresKnowledge.load().supportedVersions()).containsExactlyInAnyOrderElementsOf(
                Fixtures.schemaVersions());
    }

    /**
     * A snapshot the tool cannot reproduce exactly (a schema version older or newer than it
     * knows, or a delta no release it knows recorded) is refused for an empty target before
     * anything is written, and still ports into a Synapse-prepared target.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownSchemas")
    void snapshotOfAnUnknownSchemaIsRefusedForAnEmptyTargetOnly(String name, String change, String message,
            PostgresServer pg, @TempDir Path dir) throws Exception {
        Path snapshot = dir.resolve("synapse.db");
        Files.copy(Fixtures.file("synapse-v94-empty.db"), snapshot);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + snapshot);
                Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA journal_mode = DELETE");
            st.executeUpdate(change);
        }
        String database = "schema_refused_" + name.replaceAll("\\W", "_");
        Target empty = Target.create(pg, database, null, dir);
        Cli.Result refused = Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config",
                empty.config().toString(), "--log-file", dir.resolve("port.log").toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(5);
        assertThat(refused.err()).as(refused.toString()).startsWith("error: the snapshot has Synapse schema version ")
                .contains(message).contains("update_synapse_database").doesNotContain("\tat ");
        try (Connection c = pg.connect(database)) {
            assertThat(rows(c, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public'")).isEmpty();
        }
        if (!name.startsWith("version")) { // a prepared target of that version takes it
            Target prepared = Target.create(pg, database + "_prepared", "pg-v94-synapse-init.sql", dir);
            Cli.Result ported = Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config",
                    prepared.config().toString(), "--log-file", dir.resolve("prepared.log").toString());
            assertThat(ported.exitCode()).as(ported.toString()).isZero();
        }
    }

    static Stream<Arguments> unknownSchemas() {
        return Stream.of(
                Arguments.of("version 95", "UPDATE schema_version SET version = 95",
                        "95, but this tool can create the PostgreSQL schema only for versions 72-74, 76-89, 91-94"),
                Arguments.of("version 71", "UPDATE schema_version SET version = 71", "71, but this tool"),
                Arguments.of("unknown delta", "INSERT INTO applied_schema_deltas (version, file) VALUES"
                        + " (94, '94/99_from_a_newer_release.sql'), (80, '80/77_a_fork.sql')",
                        "94 with 2 schema delta(s) this tool does not know (80/77_a_fork.sql,"
                                + " 94/99_from_a_newer_release.sql)"));
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void emptyTargetGetsExactlySynapsesSchema(int version, PostgresServer pg, @TempDir Path dir) throws Exception {
        assumeTrue(PgDump.executable().isPresent(), "pg_dump is not installed (apt-get install postgresql-client)");
        Path snapshot = Fixtures.file("synapse-v" + version + "-empty.db");
        String database = "schema_v" + version;
        Target target = Target.create(pg, database, null, dir);
        for (int run = 1; run <= 2; run++) {
            Cli.Result result = Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config",
                    target.config().toString(), "--report", dir.resolve("report.jsonl").toString());
            assertThat(result.exitCode()).as("run %d: %s", run, result).isZero();
            if (run == 1) {
                assertThat(result.out()).contains("Creating Synapse's schema (version " + version + ")");
            }
        }
        try (Connection c = pg.connect(database)) {
            assertThat(rows(c, "SELECT version::text FROM schema_version"))
                    .containsExactlyElementsOf(initRows(version, "schema_version", 1));
            assertThat(rows(c, "SELECT version || ' ' || file FROM applied_schema_deltas ORDER BY 1"))
                    .containsExactlyElementsOf(initRows(version, "applied_schema_deltas", 0));
            assertThat(rows(c, "SELECT compat_version::text FROM schema_compat_version"))
                    .containsExactlyElementsOf(initRows(version, "schema_compat_version", 1));
            // The user directory's rebuild is queued on purpose (the port does not copy it).
            assertThat(rows(c, "SELECT update_name || ' ' || progress_json FROM background_updates"
                    + " WHERE update_name NOT LIKE 'populate_user_directory%' ORDER BY 1"))
                    .containsExactlyElementsOf(initRows(version, "background_updates", 0));
        }
        assertSameSchema(pg, database, version);
    }

    @Test
    void smallSnapshotIntoEmptyTargetEndsAsTheOfficialPort(PostgresServer pg, @TempDir Path dir) throws Exception {
        assumeTrue(PgDump.executable().isPresent(), "pg_dump is not installed (apt-get install postgresql-client)");
        Target target = Target.create(pg, "schema_small_v72", null, dir);
        Cli.Result result = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(),
                "--postgres-config", target.config().toString(), "--report", dir.resolve("report.jsonl").toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertSameSchema(pg, target.database(), 72);
        try (Connection c = target.connect()) {
            DatabaseState ours = DatabaseState.read(c, OfficialParityIT.INTENDED_DIFFERENCES);
            assertThat(ours.differences(OfficialParityIT.officialState(pg))).isEmpty();
        }
    }

    private static void assertSameSchema(PostgresServer pg, String database, int version) throws Exception {
        String dump = PgDump.schemaOnly(pg, database);
        Path out = Path.of("target", "schema-it");
        Files.createDirectories(out);
        Files.writeString(out.resolve(database + ".dump.sql"), dump);

        List<String> expected = normalise(Files.readString(Fixtures.file("pg-v" + version + "-schema.sql")));
        List<String> actual = normalise(dump);
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String e = i < expected.size() ? expected.get(i) : "<end of reference>";
            String a = i < actual.size() ? actual.get(i) : "<end of dump>";
            if (!e.equals(a)) {
                fail("schema v%d differs from pg-v%d-schema.sql at normalised line %d (full dump in %s):%n"
                        + "reference:%n%s%ncreated:%n%s", version, version, i + 1,
                        out.resolve(database + ".dump.sql"), excerpt(expected, i), excerpt(actual, i));
            }
        }
    }

    private static List<String> rows(Connection c, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The rows of {@code table} in the fixture Synapse initialised, as "col0 col1" (or one column), sorted. */
    private static List<String> initRows(int version, String table, int column) throws IOException {
        String dump = Files.readString(Fixtures.file("pg-v" + version + "-synapse-init.sql"));
        Matcher m = Pattern.compile("COPY public\\." + table + " \\([^)]*\\) FROM stdin;\\n((?:[^\\n]*\\n)*?)\\\\\\.")
                .matcher(dump);
        if (!m.find() || m.group(1).isEmpty()) {
            return List.of();
        }
        return Stream.of(m.group(1).split("\n")).map(l -> l.split("\t"))
                .map(f -> column == 0 ? f[0] + " " + f[1] : f[column]).sorted().toList();
    }

    /**
     * The dump's lines without pg_dump's version header, the {@code \restrict} lines of newer
     * pg_dump releases, and every object of the tracking table {@code port_from_sqlite3}.
     */
    static List<String> normalise(String dump) {
        List<String> lines = new ArrayList<>();
        String[] all = dump.split("\n", -1);
        boolean skipping = false;
        for (int i = 0; i < all.length; i++) {
            String line = all[i];
            if (line.equals("--") && i + 1 < all.length && all[i + 1].startsWith("-- ")) {
                // a comment block opens the next object (or the dump's end)
                skipping = all[i + 1].startsWith("-- Name: ") && all[i + 1].contains("port_from_sqlite3");
            }
            if (skipping || line.startsWith("-- Dumped from") || line.startsWith("-- Dumped by")
                    || line.startsWith("\\restrict") || line.startsWith("\\unrestrict")) {
                continue;
            }
            lines.add(line);
        }
        return lines;
    }

    private static String excerpt(List<String> lines, int at) {
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(0, at - 3); i < Math.min(lines.size(), at + 4); i++) {
            out.append(i == at ? ">>  " : "    ").append(lines.get(i)).append('\n');
        }
        return out.toString();
    }
}
