package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.MidCopy;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SnapshotCopy;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reruns decided by the digests the port keeps: a rerun of the same snapshot rewrites nothing;
 * on a newer snapshot an append-only table whose ported rows changed or went is copied again
 * (not resumed into a mix of two states), and each rerun, killed or not, ends identical to a
 * fresh full port of the snapshot it read.
 */
@ExtendWith(PostgresExtension.class)
class IncrementalRerunIT {
    private static final String TEMPLATE = "synapse-v94-empty.db";
    private static final String INIT = "pg-v94-synapse-init.sql";
    /** A newer snapshot: a row of two append-only tables changed or gone, rows added, rows of another table gone. */
    private static final String[] NEWER = {
        "DELETE FROM event_json WHERE rowid = (SELECT rowid FROM event_json ORDER BY rowid LIMIT 1 OFFSET 10)",
        "UPDATE state_groups_state SET state_key = state_key || '-changed'"
                + " WHERE rowid = (SELECT rowid FROM state_groups_state ORDER BY rowid LIMIT 1 OFFSET 3)",
        "INSERT INTO event_json (event_id, room_id, internal_metadata, json, format_version)"
                + " SELECT event_id || '-new', room_id, internal_metadata, json, format_version FROM event_json"
                + " ORDER BY rowid DESC LIMIT 5",
        "DELETE FROM device_inbox WHERE rowid IN (SELECT rowid FROM device_inbox ORDER BY rowid LIMIT 3)",
    };

    /** Rows added to three append-only tables, among them search rows of events the snapshot has. */
    private static final String[] GROWN_TABLES = {
        "INSERT INTO event_json (event_id, room_id, internal_metadata, json, format_version)"
                + " SELECT event_id || '-grown', room_id, internal_metadata, json, format_version FROM event_json"
                + " ORDER BY rowid DESC LIMIT 20",
        "INSERT INTO event_search (event_id, room_id, sender, key, value) SELECT event_id, room_id, sender, key,"
                + " value || ' again' FROM event_search ORDER BY rowid DESC LIMIT 5",
        "INSERT INTO state_groups_state (state_group, room_id, type, state_key, event_id)"
                + " SELECT state_group, room_id, type, state_key || '-grown', event_id FROM state_groups_state"
                + " ORDER BY rowid DESC LIMIT 30",
    };

    /** current_state_events with a row updated, one deleted and one inserted. */
    private static final String[] NEW_STATE = {
        "UPDATE current_state_events SET membership = 'leave'"
                + " WHERE rowid = (SELECT rowid FROM current_state_events ORDER BY rowid LIMIT 1 OFFSET 2)",
        "DELETE FROM current_state_events"
                + " WHERE rowid = (SELECT rowid FROM current_state_events ORDER BY rowid LIMIT 1 OFFSET 5)",
        "INSERT INTO current_state_events (event_id, room_id, type, state_key, membership)"
                + " SELECT event_id || '-new', room_id, type, state_key || '-new', membership"
                + " FROM current_state_events ORDER BY rowid LIMIT 1",
    };
    /** The log's line for {@link #NEW_STATE}'s rewrite. */
    private static final String NEW_STATE_REWRITTEN = "current_state_events: compared row by row with the target:"
            + " \\d+ rows unchanged, 2 written, 2 deleted";

    /**
     * A newer snapshot that only gained rows: the rerun's verification reads in PostgreSQL only
     * the rows written since the last one, and still finds an old row changed behind its back.
     */
    @Test
    void aGrownSnapshotsVerificationReadsOnlyNewRowsAndStillFindsAChangedOldOne(PostgresServer pg,
            @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_grown", first);
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), grown("-new"));
        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        Matcher counts = Pattern.compile("(\\d+) of the tables compared with the checksums[^\n]*\n\\s*(\\d+) of them"
                + " read in PostgreSQL only for the rows written since").matcher(rerun.out());
        assertThat(counts.find()).as(rerun.out()).isTrue();
        assertThat(counts.group(2)).as("every table, event_json (grown: its new rows only) too")
                .isEqualTo(counts.group(1));

        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE event_json SET json = json || ' ' WHERE ctid = (SELECT ctid FROM event_json"
                    + " ORDER BY event_id LIMIT 1)");
        }
        Path third = SnapshotCopy.of(second, dir.resolve("third.db"), grown("-newer"));
        Cli.Result caught = port(third, target, dir);
        assertThat(caught.errorLine(5)).startsWith("error: verification failed: tables differ from the snapshot:"
                + " event_json (");
    }

    /**
     * {@code event_search}'s rows are its full-text rows joined with their events: a change to
     * either side in a newer snapshot makes its records differ, and the table is copied again.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '@', quoteCharacter = '"', value = {
        "its text@UPDATE event_search SET value = value || ' changed' WHERE rowid = (SELECT rowid FROM event_search"
                + " ORDER BY rowid LIMIT 1 OFFSET 2)@false",
        "its event's time@UPDATE events SET origin_server_ts = origin_server_ts + 1 WHERE event_id ="
                + " (SELECT event_id FROM event_search ORDER BY rowid LIMIT 1 OFFSET 2)@true"})
    void aChangedSearchRowIsCopiedAgain(String what, String change, boolean eventsToo, PostgresServer pg,
            @TempDir Path dir) throws Exception {
        Path first = SnapshotCopy.of(Fixtures.synthetic(TEMPLATE, 3000, 7), dir.resolve("first.db"));
        String name = "rerun_search_" + (eventsToo ? "event" : "text");
        Target target = Target.create(pg, name, INIT, dir);
        assertThat(port(first, target, dir).exitCode()).isZero();
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), change);
        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.err()).as(rerun.toString())
                .contains("warning: event_search: rows an earlier run copied have changed or gone");
        if (eventsToo) {
            assertThat(rerun.err()).contains("warning: events: rows an earlier run copied have changed or gone");
        } else {
            assertThat(rerun.err()).doesNotContain("warning: events:");
        }
        assertSameAsAFreshPort(pg, second, target, name + "_reference", dir);
    }

    /**
     * A search row whose event the snapshot lacks joins no event: its record hash keeps the
     * joined columns (it cannot stand on events' proof), so a newer snapshot where the event
     * has arrived makes the row differ, and the table is copied again.
     */
    @Test
    void aSearchRowWhoseEventArrivesLaterIsCopiedAgain(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path first = SnapshotCopy.of(Fixtures.synthetic(TEMPLATE, 3000, 7), dir.resolve("first.db"),
                "INSERT INTO event_search (event_id, room_id, sender, key, value) SELECT '$later:example.org',"
                        + " room_id, sender, key, 'arrives later' FROM event_search ORDER BY rowid LIMIT 1");
        Target target = Target.create(pg, "rerun_search_later", INIT, dir);
        assertThat(port(first, target, dir).exitCode()).isZero();
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"),
                "CREATE TEMP TABLE later AS SELECT * FROM events ORDER BY stream_ordering DESC LIMIT 1",
                "UPDATE later SET event_id = '$later:example.org', stream_ordering = stream_ordering + 1000,"
                        + " room_id = (SELECT room_id FROM event_search WHERE event_id = '$later:example.org')",
                "INSERT INTO events SELECT * FROM later");
        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.err()).contains("warning: event_search: rows an earlier run copied have changed or gone")
                .doesNotContain("warning: events:");
        assertSameAsAFreshPort(pg, second, target, "rerun_search_later_reference", dir);
    }

    /** A target whose digests an earlier release of the tool kept (without record hashes and verifications). */
    @Test
    void digestsOfAnEarlierReleaseAreTakenOn(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_earlier_digests", first);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE port_from_sqlite3_digests DROP COLUMN record_hash, DROP COLUMN verified_rows,"
                    + " DROP COLUMN verified_xmin, DROP COLUMN verified_hash_sum");
        }
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), NEWER);
        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertSameAsAFreshPort(pg, second, target, "rerun_earlier_digests_reference", dir);
    }

    private static String[] grown(String suffix) {
        return new String[] {"INSERT INTO event_json (event_id, room_id, internal_metadata, json, format_version)"
                + " SELECT event_id || '" + suffix + "', room_id, internal_metadata, json, format_version"
                + " FROM event_json ORDER BY rowid DESC LIMIT 5"};
    }

    @Test
    void aRerunOfTheSameSnapshotRewritesNothing(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic(TEMPLATE, 3000, 7);
        Target target = Target.create(pg, "rerun_same", INIT, dir);
        assertThat(port(sqlite, target, dir).exitCode()).isZero();
        DatabaseState first = target.state();
        long before = currentXid(target);

        Cli.Result rerun = port(sqlite, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.out()).contains(", 0 rows copied this run");
        assertThat(target.state().differences(first)).isEmpty();
        assertThat(rowsWrittenSince(target, before)).as("tables emptied and refilled").isEmpty();
    }

    @Test
    void aNewerSnapshotEndsAsAFreshPortOfItAndChangedAppendOnlyTablesAreCopiedAgain(PostgresServer pg,
            @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_newer", first);
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), NEWER);
        long before = currentXid(target);

        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        // tables Synapse rewrites are rewritten only when their records changed, and then only their changes
        assertThat(rowsWrittenSince(target, before)).noneMatch(t -> t.startsWith("device_inbox "))
                .noneMatch(t -> t.startsWith("current_state_events "));
        assertThat(Files.readString(dir.resolve("port.log")))
                .containsPattern("device_inbox: compared row by row with the target: \\d+ rows unchanged, 0 written,"
                        + " 3 deleted")
                .doesNotContain("current_state_events: compared row by row");
        assertThat(rerun.err()).contains("warning: event_json: rows an earlier run copied have changed or gone")
                .contains("warning: state_groups_state: rows an earlier run copied have changed or gone")
                .doesNotContain("warning: events:");
        // the unchanged ones were proven by the hash of their stored records, without reading their rows
        Matcher proven = Pattern.compile("(\\d+) proven unchanged by their stored records, (\\d+) append-only"
                + " one\\(s\\) read again")
                .matcher(Files.readString(dir.resolve("port.log")));
        assertThat(proven.find()).as("the proof's line in the log").isTrue();
        assertThat(Integer.parseInt(proven.group(1))).isPositive();
        assertThat(Integer.parseInt(proven.group(2))).as("event_json, state_groups_state").isEqualTo(2);
        assertSameAsAFreshPort(pg, second, target, "rerun_newer_reference", dir);
    }

    /**
     * A rerun of a snapshot whose tables grew hashes the stored records of their new rows only,
     * adding them to the old rows' hash its proof found: the record hashes it keeps are those a
     * fresh port of that snapshot keeps, and the next rerun proves the rows by them.
     */
    @Test
    void aGrownTablesRecordHashAddsItsNewRowsToItsOldOnes(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_hashes", first);
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), GROWN_TABLES);
        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        // the rerun's line, the log's last (the first port's comes before it)
        Matcher stored = Pattern.compile("stored the record hashes of (\\d+) table\\(s\\), (\\d+) of them hashed for"
                + " their new rows only").matcher(Files.readString(dir.resolve("port.log")));
        List<String> hashed = new ArrayList<>();
        while (stored.find()) {
            hashed = List.of(stored.group(1), stored.group(2));
        }
        assertThat(hashed).as("event_json, event_search, state_groups_state, each for its new rows only")
                .containsExactly("3", "3");

        Target reference = Target.create(pg, "rerun_hashes_reference", INIT, dir);
        assertThat(port(second, reference, dir).exitCode()).isZero();
        assertThat(recordHashes(target)).isEqualTo(recordHashes(reference)).hasSizeGreaterThan(100);

        Path third = SnapshotCopy.of(second, dir.resolve("third.db"), grown("-third"));
        Cli.Result next = port(third, target, dir);
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(next.err()).doesNotContain("warning:");
        assertSameAsAFreshPort(pg, third, target, "rerun_hashes_third", dir);
    }

    private static Map<String, Long> recordHashes(Target target) throws SQLException {
        Map<String, Long> hashes = new TreeMap<>();
        try (Connection c = target.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT table_name, record_hash FROM port_from_sqlite3_digests WHERE record_hash IS NOT NULL")) {
            while (rs.next()) {
                hashes.put(rs.getString(1), rs.getLong(2));
            }
        }
        return hashes;
    }

    /**
     * A table Synapse rewrites, with rows updated, deleted and inserted: only those are written
     * (the others keep their row versions), and the target ends as a fresh port.
     */
    @Test
    void aChangedTableSynapseRewritesIsRewrittenRowByRow(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_rewrite", first);
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), NEW_STATE);
        long before = currentXid(target);

        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(Files.readString(dir.resolve("port.log"))).containsPattern(NEW_STATE_REWRITTEN);
        assertThat(rowsWrittenSince(target, before)).contains("current_state_events (2 rows)");
        assertSameAsAFreshPort(pg, second, target, "rerun_rewrite_reference", dir);
    }

    /**
     * A changed table with a row PostgreSQL refuses (a duplicate its unique index rejects, which
     * the snapshot lost): the rewrite declines, and the table is copied again in full, which
     * rejects that row.
     */
    @Test
    void aRewriteThatPostgresRefusesIsCopiedAgainInFull(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_refused", first);
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"),
                "DROP INDEX user_ips_user_token_ip_unique_index",
                "INSERT INTO user_ips SELECT * FROM user_ips ORDER BY rowid LIMIT 1",
                "UPDATE user_ips SET last_seen = last_seen + 1 WHERE rowid = (SELECT max(rowid) FROM user_ips) - 1");

        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(Files.readString(dir.resolve("port.log")))
                .contains("user_ips: PostgreSQL refused a changed row")
                .doesNotContain("user_ips: compared row by row");
        assertThat(Files.readString(dir.resolve("report.jsonl")))
                .contains("\"table\":\"user_ips\"", "\"action\":\"rejected\"", "user_ips_user_token_ip_unique_index");
        assertSameAsAFreshPort(pg, second, target, "rerun_refused_reference", dir);
    }

    /**
     * A rewrite killed after its deletes, before its commit (its insert held by a trigger of
     * the test's): nothing of it stays, and the next run rewrites the table again.
     */
    @Test
    void aRewriteKilledBeforeItsCommitIsDoneAgainByTheNextRun(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Path first = dir.resolve("first.db");
        Target target = portedFirst(pg, "rerun_rewrite_killed", first);
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), NEW_STATE);
        String insert = "INSERT INTO \"current_state_events\"";
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql"
                    + " AS $$ BEGIN PERFORM pg_sleep(120); RETURN NULL; END $$");
            st.execute("CREATE TRIGGER test_hold BEFORE INSERT ON current_state_events FOR EACH STATEMENT"
                    + " EXECUTE FUNCTION test_hold()");
        }

        Path log = dir.resolve("killed.log");
        Process process = JarRun.start(log, "--sqlite-database", second.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("killed.jsonl").toString());
        assertThat(MidCopy.awaitStatement(target, process, insert)).as("the rewrite reached its insert; log:%n%s",
                Files.exists(log) ? Files.readString(log) : "").isTrue();
        process.destroyForcibly().waitFor();
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            // the killed port's session sleeps on in the trigger: ended, it rolls back
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE starts_with(query, '"
                    + insert + "')");
            st.execute("DROP TRIGGER test_hold ON current_state_events");
            st.execute("DROP FUNCTION test_hold()");
        }

        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(Files.readString(dir.resolve("port.log"))).containsPattern(NEW_STATE_REWRITTEN);
        assertSameAsAFreshPort(pg, second, target, "rerun_rewrite_killed_reference", dir);
    }

    @Test
    void aRerunKilledMidTableThenRunAgainEndsAsAFreshPort(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path first = SnapshotCopy.of(Fixtures.synthetic(TEMPLATE, 20000, 3), dir.resolve("first.db"));
        Target target = Target.create(pg, "rerun_killed", INIT, dir);
        assertThat(port(first, target, dir).exitCode()).isZero();
        Path second = SnapshotCopy.of(first, dir.resolve("second.db"), NEWER);

        Path log = dir.resolve("killed.log");
        Process process = JarRun.start(log, "--sqlite-database", second.toString(), "--postgres-config",
                target.config().toString(), "--batch-size", "200", "--jobs", "2",
                "--report", dir.resolve("killed.jsonl").toString());
        assertThat(MidCopy.await(target, process, "state_groups_state")).as("the rerun copied state_groups_state"
                + " again, and was killed in its middle; log:%n%s", Files.exists(log) ? Files.readString(log) : "")
                .isTrue();
        process.destroyForcibly().waitFor();

        Cli.Result rerun = port(second, target, dir);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertSameAsAFreshPort(pg, second, target, "rerun_killed_reference", dir);
    }

    /** A new target named {@code name}, into which a copy of the small synthetic snapshot, at {@code first}, is ported. */
    private static Target portedFirst(PostgresServer pg, String name, Path first) throws Exception {
        SnapshotCopy.of(Fixtures.synthetic(TEMPLATE, 3000, 7), first);
        Target target = Target.create(pg, name, INIT, first.getParent());
        assertThat(port(first, target, first.getParent()).exitCode()).isZero();
        return target;
    }

    /** {@code target} equals a fresh port of {@code sqlite} into a new database named {@code database}. */
    private static void assertSameAsAFreshPort(PostgresServer pg, Path sqlite, Target target, String database,
            Path dir) throws SQLException {
        Target reference = Target.create(pg, database, INIT, dir);
        assertThat(port(sqlite, reference, dir).exitCode()).isZero();
        assertThat(target.state().differences(reference.state())).isEmpty();
    }

    private static Cli.Result port(Path sqlite, Target target, Path dir) {
        return Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config", target.config().toString(),
                "--report", dir.resolve("report.jsonl").toString(), "--log-file", dir.resolve("port.log").toString());
    }

    private static long currentXid(Target target) throws SQLException {
        try (Connection c = target.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The tables holding rows written by a transaction from {@code xid} on, but for the port's
     * bookkeeping and the one-row table it gives fixed content on every run.
     */
    private static List<String> rowsWrittenSince(Target target, long xid) throws Exception {
        List<String> written = new ArrayList<>();
        try (Connection c = target.connect()) {
            for (String table : OfficialParityIT.column(c, "SELECT tablename FROM pg_tables WHERE schemaname ="
                    + " current_schema() AND tablename NOT LIKE 'port\\_from\\_sqlite3%'"
                    + " AND tablename <> 'user_directory_stream_pos'")) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM \""
                        + table + "\" WHERE xmin::text::bigint >= " + xid)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        written.add(table + " (" + rs.getLong(1) + " rows)");
                    }
                }
            }
        }
        return written;
    }
}
