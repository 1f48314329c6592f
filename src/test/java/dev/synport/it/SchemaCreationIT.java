package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synport.postgres.CheckpointStore;
import dev.synport.schema.PostgresKnowledge;
import dev.synport.schema.SchemaBuilder;
import dev.synport.schema.SchemaScript;
import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotDdlReader;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PgDump;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every reference {@code pg-vNN-schema.sql} in the fixtures: the schema built from
 * {@code synapse-vNN-empty.db} on an empty database dumps exactly as the reference (Synapse's
 * own CI check for its port script), apart from pg_dump's header and the tracking table.
 */
@ExtendWith(PostgresExtension.class)
class SchemaCreationIT {
    private static final Pattern REFERENCE = Pattern.compile("pg-v(\\d+)-schema\\.sql");

    static Stream<Integer> versions() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.dir())) {
            return files.map(f -> REFERENCE.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1))).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void emptyTargetGetsExactlySynapsesSchema(int version, PostgresServer pg) throws Exception {
        assumeTrue(PgDump.executable().isPresent(), "pg_dump is not installed (apt-get install postgresql-client)");
        Path snapshot = Fixtures.file("synapse-v" + version + "-empty.db");
        SchemaScript script = new SchemaBuilder(PostgresKnowledge.load())
                .build(new SnapshotDdlReader(Snapshot.locate(snapshot)).read());
        String database = "schema_v" + version;
        pg.createDatabase(database);
        try (Connection c = pg.connect(database)) {
            runInOneTransaction(c, script.beforeData());
            runInOneTransaction(c, script.afterData());
            new CheckpointStore().ensureTable(c); // a port leaves its tracking table; the comparison ignores it
        }
        try (Connection c = pg.connect(database)) {
            assertThat(rows(c, "SELECT version::text FROM schema_version"))
                    .containsExactlyElementsOf(initRows(version, "schema_version", 1));
            assertThat(rows(c, "SELECT version || ' ' || file FROM applied_schema_deltas ORDER BY 1"))
                    .containsExactlyElementsOf(initRows(version, "applied_schema_deltas", 0));
        }
        String dump = PgDump.schemaOnly(pg, database);
        Path out = Path.of("target", "schema-it");
        Files.createDirectories(out);
        Files.writeString(out.resolve("v" + version + ".dump.sql"), dump);

        List<String> expected = normalise(Files.readString(Fixtures.file("pg-v" + version + "-schema.sql")));
        List<String> actual = normalise(dump);
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String e = i < expected.size() ? expected.get(i) : "<end of reference>";
            String a = i < actual.size() ? actual.get(i) : "<end of dump>";
            if (!e.equals(a)) {
                fail("schema v%d differs from pg-v%d-schema.sql at normalised line %d (full dump in %s):%n"
                        + "reference:%n%s%ncreated:%n%s", version, version, i + 1,
                        out.resolve("v" + version + ".dump.sql"), excerpt(expected, i), excerpt(actual, i));
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
        Matcher m = Pattern.compile("COPY public\\." + table + " \\([^)]*\\) FROM stdin;\\n(.*?)\\n\\\\\\.", Pattern.DOTALL)
                .matcher(dump);
        if (!m.find()) {
            return List.of();
        }
        return Stream.of(m.group(1).split("\n")).map(l -> l.split("\t"))
                .map(f -> column == 0 ? f[0] + " " + f[1] : f[column]).sorted().toList();
    }

    private static void runInOneTransaction(Connection c, List<String> statements) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException(e.getMessage() + " in: " + sql, e);
                }
            }
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
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
