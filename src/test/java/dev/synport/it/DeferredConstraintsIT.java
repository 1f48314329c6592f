package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SnapshotCopy;
import dev.synport.testing.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large table's unique indexes, UNIQUE constraints and foreign keys (with the foreign keys
 * of other tables that need them) are built after its copy. Rows they refuse are removed then
 * and reported, and the port ends as one that kept them all in place while the rows arrived:
 * the same rows, indexes and constraints.
 */
@ExtendWith(PostgresExtension.class)
class DeferredConstraintsIT {
    private static final String INIT = "pg-v94-synapse-init.sql";

    @Test
    void rowsTheDeferredConstraintsRefuseAreRejectedAsWhenTheyCheckedEachRow(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        // a repeated event_id in event_relations (SQLite's unique index dropped), and an edge whose
        // event does not exist (SQLite does not enforce foreign keys)
        Path sqlite = SnapshotCopy.of(Fixtures.synthetic("synapse-v94-empty.db", 3000, 7), dir.resolve("dirty.db"),
                "DROP INDEX event_relations_id",
                "INSERT INTO event_relations (event_id, relates_to_id, relation_type)"
                        + " SELECT event_id, 'duplicate', 'm.test' FROM event_relations ORDER BY rowid LIMIT 1",
                "INSERT INTO event_edges (event_id, prev_event_id, room_id, is_state)"
                        + " VALUES ('$no-such-event', '$neither', '!room:portdb.test', 0)");

        Target deferred = Target.create(pg, "deferred_constraints", INIT, dir);
        Path report = dir.resolve("deferred.jsonl");
        Cli.Result result = port(sqlite, deferred, report, "--defer-indexes-from", "100");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("and 2 rows rejected: see");
        assertThat(Files.readString(dir.resolve("deferred-run.log"))).contains(
                "events: building", "event_relations: building", "\"event_edges\".\"event_edges_event_id_fkey\"");
        List<String> lines = Files.readAllLines(report).stream().filter(l -> l.contains("\"rejected\"")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"table\":\"event_relations\"",
                "repeats the key of an earlier row (unique index event_relations_id", "duplicate"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"table\":\"event_edges\"",
                "refers to a row that was not ported (foreign key", "$no-such-event"));
        assertThat(result.out()).contains("verified:");

        Target checked = Target.create(pg, "checked_constraints", INIT, dir);
        Cli.Result reference = port(sqlite, checked, dir.resolve("checked.jsonl"), "--defer-indexes-from",
                "1000000000");
        assertThat(reference.exitCode()).as(reference.toString()).isZero();
        // the same rows rejected, each found in the snapshot by its rowid
        assertThat(rejected(report)).hasSize(2).isEqualTo(rejected(dir.resolve("checked.jsonl"))).doesNotContain("event_edges 0",
                "event_relations 0");
        // the earlier of the two relations stays, as when the index refused the later one on arrival
        try (Connection c = deferred.connect()) {
            assertThat(OfficialParityIT.column(c, "SELECT count(*) FROM event_relations WHERE relates_to_id"
                    + " = 'duplicate'")).containsExactly("0");
        }
        assertThat(deferred.state().differences(checked.state())).isEmpty();
        try (Connection c = deferred.connect()) {
            assertThat(OfficialParityIT.column(c, "SELECT to_regclass('port_from_sqlite3_deferred_indexes')"))
                    .containsExactly((String) null);
        }

        // a rerun finds everything in place and equal
        Cli.Result rerun = port(sqlite, deferred, dir.resolve("rerun.jsonl"), "--defer-indexes-from", "100");
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(deferred.state().differences(checked.state())).isEmpty();
    }

    /**
     * A run stopped after dropping event_edges' foreign key onto events (when events' copy
     * began) leaves it in the ledger, not in the catalogue. The next run must still copy
     * events before event_edges, which one worker and event_edges' larger row count would
     * otherwise put first: its key, built after its copy, would then find no events and
     * refuse every edge.
     */
    @Test
    void aForeignKeyLeftInTheLedgerStillOrdersTheCopy(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 3000, 7);
        Target target = Target.create(pg, "ledger_order", INIT, dir);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE port_from_sqlite3_deferred_indexes (index_name text PRIMARY KEY,"
                    + " table_name text NOT NULL, definition text NOT NULL, refused text,"
                    + " phase smallint NOT NULL DEFAULT 0)");
            st.execute("INSERT INTO port_from_sqlite3_deferred_indexes SELECT"
                    + " '\"event_edges\".\"event_edges_event_id_fkey\"', 'event_edges',"
                    + " 'ALTER TABLE \"event_edges\" ADD CONSTRAINT \"event_edges_event_id_fkey\" '"
                    + " || pg_get_constraintdef(oid), '\"event_edges\".\"event_id\" IS NOT NULL AND NOT EXISTS"
                    + " (SELECT 1 FROM events AS p WHERE p.\"event_id\" = \"event_edges\".\"event_id\")', 1"
                    + " FROM pg_constraint WHERE conname = 'event_edges_event_id_fkey'");
            st.execute("ALTER TABLE event_edges DROP CONSTRAINT event_edges_event_id_fkey");
        }
        Cli.Result result = port(sqlite, target, dir.resolve("ledger.jsonl"), "--defer-indexes-from", "100",
                "--jobs", "1");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains(" and 0 rows rejected");

        Target reference = Target.create(pg, "ledger_order_reference", INIT, dir);
        Cli.Result full = port(sqlite, reference, dir.resolve("reference.jsonl"), "--defer-indexes-from", "100",
                "--jobs", "1");
        assertThat(full.exitCode()).as(full.toString()).isZero();
        assertThat(target.state().differences(reference.state())).isEmpty();
    }

    /** The rejected rows of a report, as "table rowid". */
    private static Set<String> rejected(Path report) throws IOException {
        Pattern finding = Pattern.compile("\"table\":\"([^\"]+)\",\"rowid\":(\\d+).*\"action\":\"rejected\"");
        Set<String> rows = new TreeSet<>();
        for (String line : Files.readAllLines(report)) {
            Matcher m = finding.matcher(line);
            if (m.find()) {
                rows.add(m.group(1) + " " + m.group(2));
            }
        }
        return rows;
    }

    private static Cli.Result port(Path sqlite, Target target, Path report, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--sqlite-database", sqlite.toString(),
                "--postgres-config", target.config().toString(), "--report", report.toString(), "--log-file",
                report.resolveSibling(report.getFileName().toString().replace(".jsonl", "-run.log")).toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }
}
