package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in verification: a port's default run ends with the verdict, {@code verify} on its
 * own exits 0 on the ported target, and exits 5 naming the table after one missing row, one
 * extra row, or one changed value in a column of any kind the schema uses.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyIT {
    /** Tables whose content is not the snapshot's (not copied, given fixed content, or computed). */
    private static final Set<String> NOT_COMPARED = Set.of("event_search", "port_from_sqlite3",
            "port_from_sqlite3_deferred_indexes");

    private Path sqlite;
    private Target target;
    private Path report;

    @BeforeAll
    void port(PostgresServer pg, @TempDir Path dir) {
        // a synthetic database: NULs and invalid UTF-8 to repair, blobs, negative rowids
        sqlite = Fixtures.synthetic("synapse-v72-empty.db", 1500, 7);
        target = Target.create(pg, "verify_shared", "pg-v72-synapse-init.sql", dir);
        report = dir.resolve("report.jsonl");
        Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", report.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as("the default run includes the verdict in its summary")
                .containsPattern("verified: \\d+ tables, [\\d,]+ rows equal; sequences OK")
                .contains("not compared: not copied by design: ");
        assertThat(report).as("values were repaired").exists();
    }

    @Test
    void verifyAloneFindsThePortedTargetEqual() {
        Cli.Result result = verify();
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("^verified: \\d+ tables, [\\d,]+ rows equal; sequences OK");
        assertThat(result.err()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "bigint", "integer", "smallint", "boolean", "bytea",
        "value to NULL", "NULL to value", "missing row", "extra row"})
    void oneChangeMakesVerifyFailNamingTheTable(String change) throws Exception {
        try (Connection c = target.connect()) {
            Mutation mutation = mutate(c, change);
            try {
                Cli.Result result = verify();
                String error = result.errorLine(5);
                assertThat(error).startsWith("error: verification failed: tables differ from the snapshot: "
                        + mutation.table() + " (");
                String expected = switch (change) {
                    case "missing row" -> "1 missing, 0 extra";
                    case "extra row" -> "0 missing, 1 extra";
                    default -> "1 missing, 1 extra";
                };
                assertThat(result.out()).contains("verification FAILED: 1 of ")
                        .contains("  " + mutation.table() + " (sqlite ").contains(expected + ")");
            } finally {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate(mutation.undo());
                }
            }
        }
        assertThat(verify().exitCode()).as("restored").isZero();
    }

    /**
     * A rerun of the same snapshot does not read again the tables an earlier run verified and
     * nothing wrote to since; one change made to the target in between is still found.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "bigint", "missing row", "extra row"})
    void aRerunsVerificationFindsAChangeMadeToTheTargetSinceTheLastRun(String change) throws Exception {
        Cli.Result unchanged = rerun();
        assertThat(unchanged.exitCode()).as(unchanged.toString()).isZero();
        assertThat(unchanged.out()).containsPattern("\\d+ of them read in PostgreSQL only for the rows written since an"
                + " earlier run verified them");
        try (Connection c = target.connect()) {
            Mutation mutation = mutate(c, change);
            try {
                Cli.Result result = rerun();
                assertThat(result.errorLine(5)).startsWith("error: verification failed: tables differ from the"
                        + " snapshot: " + mutation.table() + " (");
            } finally {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate(mutation.undo());
                }
            }
        }
        Cli.Result restored = rerun(); // copies the table that differed again
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
    }

    @Test
    void rowsPostgresRefusedAreExpectedMissingWhenTheReportIsGiven(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Target refusing = Target.create(pg, "verify_refusing", "pg-v72-synapse-init.sql", dir);
        try (Connection c = refusing.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE events ADD CONSTRAINT test_refuses_one_event CHECK (stream_ordering <> 100)");
        }
        Path refusals = dir.resolve("refusals.jsonl");
        Cli.Result port = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(),
                "--postgres-config", refusing.config().toString(), "--report", refusals.toString());
        assertThat(port.exitCode()).as(port.toString()).isZero();
        assertThat(port.out()).contains("2 rows rejected").contains("verified: ");

        Cli.Result withReport = Cli.run("verify", "--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(),
                "--postgres-config", refusing.config().toString(), "--report", refusals.toString(),
                "--log-file", dir.resolve("verify.log").toString());
        assertThat(withReport.exitCode()).as(withReport.toString()).isZero();
        Cli.Result without = Cli.run("verify", "--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(),
                "--postgres-config", refusing.config().toString(), "--log-file", dir.resolve("verify.log").toString());
        assertThat(without.errorLine(5)).contains("event_edges (sqlite ").contains("events (sqlite 3,355 rows,"
                + " postgres 3,354 rows: 1 missing, 0 extra)");
    }

    @Test
    void noVerifySkipsTheVerificationAndTheLogSaysSo(PostgresServer pg, @TempDir Path dir) throws Exception {
        Target empty = Target.create(pg, "verify_skipped", "pg-v72-synapse-init.sql", dir);
        Path log = dir.resolve("port.log");
        Cli.Result result = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-empty.db").toString(),
                "--postgres-config", empty.config().toString(), "--no-verify", "--log-file", log.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).doesNotContain("verified: ");
        assertThat(Files.readString(log)).contains("verification skipped (--no-verify)")
                .doesNotContain("verify: verified");
        assertThat(Cli.run("--sqlite-database", "x.db", "--postgres-config", "y.yaml", "--verify", "--no-verify")
                .errorLine(2)).contains("--verify and --no-verify contradict each other");
    }

    @Test
    void verifyRefusesBadInputAsThePortDoes(@TempDir Path dir) throws Exception {
        assertThat(Cli.run("verify", "--frobnicate").errorLine(2))
                .isEqualTo("error: unknown option '--frobnicate'; run 'synapse-port-db verify --help' for the options");
        assertThat(Cli.run("verify", "--sqlite-database", sqlite.toString()).errorLine(2))
                .contains("Missing required option: '--postgres-config=YAML'");
        assertThat(Cli.run("verify", "--sqlite-database", dir.resolve("none.db").toString(), "--postgres-config",
                target.config().toString(), "--log-file", dir.resolve("v.log").toString()).exitCode()).isEqualTo(1);
        assertThat(Cli.run("verify", "--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("none.jsonl").toString()).errorLine(2))
                .contains("--report " + dir.resolve("none.jsonl") + ": no such file, or not readable");
        Path notAReport = Files.writeString(dir.resolve("not-a-report.jsonl"), "[1, 2]\n");
        assertThat(Cli.run("verify", "--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", notAReport.toString(), "--log-file",
                dir.resolve("v.log").toString()).errorLine(2))
                .contains("line 1 is not a finding of synapse-port-db's report");
    }

    private Cli.Result rerun() {
        return Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config", target.config().toString(),
                "--report", report.toString(), "--log-file", report.resolveSibling("rerun.log").toString());
    }

    private Cli.Result verify() {
        return Cli.run("verify", "--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", report.toString(), "--log-file",
                report.resolveSibling("verify.log").toString());
    }

    /** One committed change to the target, and the statement that undoes it. */
    private record Mutation(String table, String undo) {}

    private Mutation mutate(Connection c, String change) throws Exception {
        return switch (change) {
            case "missing row" -> deleteOne(c);
            case "extra row" -> insertOne(c);
            case "value to NULL" -> update(c, "text", "IS NOT NULL", true, "NULL");
            case "NULL to value" -> update(c, "text", "IS NULL", true, "'verify'");
            case "text" -> update(c, "text", "IS NOT NULL", false, "%s || 'x'");
            case "boolean" -> update(c, "boolean", "IS NOT NULL", false, "NOT %s");
            case "bytea" -> update(c, "bytea", "IS NOT NULL", false, "%s || '\\x00'::bytea");
            default -> update(c, change, "IS NOT NULL", false, "CASE WHEN %s > 0 THEN %<s - 1 ELSE %<s + 1 END");
        };
    }

    /** Changes one value of the first compared, non-indexed column of {@code type} that has a matching row. */
    private Mutation update(Connection c, String type, String condition, boolean nullable, String change)
            throws Exception {
        for (String[] column : columns(c, type, nullable)) {
            String table = "\"" + column[0] + "\"";
            String col = "\"" + column[1] + "\"";
            Optional<String> ctid = first(c, "SELECT ctid::text FROM " + table + " WHERE " + col + " " + condition
                    + " LIMIT 1", 1);
            if (ctid.isEmpty()) {
                continue;
            }
            String value = condition.equals("IS NULL") ? null : first(c, "SELECT " + col + "::text FROM " + table
                    + " WHERE ctid = '" + ctid.get() + "'::tid", 1).orElseThrow();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("UPDATE " + table + " SET "
                    + col + " = " + change.replace("%s", col).replace("%<s", col) + " WHERE ctid = '" + ctid.get()
                    + "'::tid RETURNING ctid::text")) {
                rs.next();
                String restored = value == null ? "NULL" : "'" + value.replace("'", "''") + "'::" + column[2];
                return new Mutation(column[0], "UPDATE " + table + " SET " + col + " = " + restored
                        + " WHERE ctid = '" + rs.getString(1) + "'::tid");
            }
        }
        throw new IllegalStateException("no compared " + type + " column with a row where it " + condition);
    }

    private Mutation deleteOne(Connection c) throws Exception {
        String table = unreferencedTableWithRows(c);
        String row = first(c, "SELECT row_to_json(t)::text FROM \"" + table + "\" t LIMIT 1", 1).orElseThrow();
        try (Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM \"" + table + "\" WHERE ctid = (SELECT ctid FROM \"" + table
                    + "\" LIMIT 1)");
        }
        return new Mutation(table, "INSERT INTO \"" + table + "\" SELECT * FROM json_populate_record(NULL::\"" + table
                + "\", '" + row.replace("'", "''") + "')");
    }

    private Mutation insertOne(Connection c) throws Exception {
        String table = unreferencedTableWithRows(c);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("INSERT INTO \"" + table
                + "\" SELECT * FROM \"" + table + "\" LIMIT 1 RETURNING ctid::text")) {
            rs.next();
            return new Mutation(table, "DELETE FROM \"" + table + "\" WHERE ctid = '" + rs.getString(1) + "'::tid");
        }
    }

    /** A compared table with rows, without unique indexes, that no foreign key references. */
    private String unreferencedTableWithRows(Connection c) throws Exception {
        for (String table : comparedTables(c)) {
            boolean unique = first(c, "SELECT 1 FROM pg_index WHERE indrelid = '\"" + table + "\"'::regclass"
                    + " AND indisunique", 1).isPresent();
            boolean referenced = first(c, "SELECT 1 FROM pg_constraint WHERE confrelid = '\"" + table
                    + "\"'::regclass", 1).isPresent();
            if (!unique && !referenced && first(c, "SELECT 1 FROM \"" + table + "\" LIMIT 1", 1).isPresent()) {
                return table;
            }
        }
        throw new IllegalStateException("no table without unique indexes has rows");
    }

    /** (table, column, type) of the compared columns of a type that no index covers. */
    private List<String[]> columns(Connection c, String type, boolean nullable) throws Exception {
        List<String> tables = comparedTables(c);
        List<String[]> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, column_name, data_type FROM"
                + " information_schema.columns WHERE table_schema = current_schema() AND data_type = ?"
                + " AND (is_nullable = 'YES' OR NOT ?) AND NOT EXISTS (SELECT 1 FROM pg_index i, pg_attribute a"
                + " WHERE i.indrelid = format('%I', table_name)::regclass AND a.attrelid = i.indrelid"
                + " AND a.attname = column_name AND a.attnum = ANY(i.indkey))"
                + " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = format('%I', table_name)::regclass"
                + " AND k.contype IN ('c', 'f'))"
                + " ORDER BY table_name, column_name")) {
            ps.setString(1, type);
            ps.setBoolean(2, nullable);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (tables.contains(rs.getString(1))) {
                        columns.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
        }
        return columns;
    }

    private static List<String> comparedTables(Connection c) throws Exception {
        List<String> tables = new ArrayList<>();
        for (String table : OfficialParityIT.column(c, "SELECT tablename FROM pg_tables WHERE schemaname ="
                + " current_schema() ORDER BY tablename")) {
            if (!CurrentSchemaIT.NOT_COPIED.contains(table) && !NOT_COMPARED.contains(table)) {
                tables.add(table);
            }
        }
        return tables;
    }

    private static Optional<String> first(Connection c, String sql, int column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? Optional.ofNullable(rs.getString(column)).or(() -> Optional.of("")) : Optional.empty();
        }
    }
}
