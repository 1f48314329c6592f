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
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port's verification with the digests it keeps while copying: it reads PostgreSQL alone
 * for the rows this snapshot gave (or an earlier one, found unchanged), and still finds a
 * value the target changed, a row it lost, and a change to a row an earlier run copied; the
 * run after such a failure copies the tables that differed again.
 */
@ExtendWith(PostgresExtension.class)
class CopyDigestIT {
    private static final String INIT = "pg-v94-synapse-init.sql";
    private static final String DIGEST_NOTE = "of the tables compared with the checksums of their rows taken as the"
            + " port read them from this same snapshot";

    @Test
    void aValueChangedAndARowLostAsTheyArriveAreFound(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 1500, 7);
        Target target = Target.create(pg, "digest_triggers", INIT, dir);
        String changed = firstEventId(sqlite, "event_json");
        String lost = firstEventId(sqlite, "event_edges");
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            // the server alters one value and drops one row as they arrive: the port sent them right
            st.execute("CREATE FUNCTION test_alter() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF NEW.event_id = '" + changed + "' THEN NEW.internal_metadata := NEW.internal_metadata"
                    + " || ' '; END IF; RETURN NEW; END $$");
            st.execute("CREATE TRIGGER test_alter BEFORE INSERT ON event_json FOR EACH ROW EXECUTE FUNCTION"
                    + " test_alter()");
            st.execute("CREATE FUNCTION test_lose() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF NEW.event_id = '" + lost + "' THEN RETURN NULL; END IF; RETURN NEW; END $$");
            st.execute("CREATE TRIGGER test_lose BEFORE INSERT ON event_edges FOR EACH ROW EXECUTE FUNCTION"
                    + " test_lose()");
        }
        Cli.Result result = port(sqlite, target, dir);
        assertThat(result.errorLine(5)).startsWith("error: verification failed: tables differ from the snapshot:"
                + " event_edges (").contains("1 missing, 0 extra); event_json (").endsWith("1 missing, 1 extra)");
        assertThat(Files.readString(dir.resolve("port.log"))).contains("verify: verification FAILED: 2 of ")
                .containsPattern("verify:   \\d+ " + DIGEST_NOTE);
    }

    @Test
    void aChangeToARowAnEarlierRunCopiedIsFoundAndTheNextRunCopiesTheTableAgain(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Path first = Fixtures.synthetic("synapse-v94-empty.db", 1500, 7);
        Target target = Target.create(pg, "digest_rerun", INIT, dir);
        Cli.Result ported = port(first, target, dir);
        assertThat(ported.exitCode()).as(ported.toString()).isZero();
        int tables = count(ported.out(), "verified: (\\d+) tables");
        int fromDigests = count(ported.out(), "  (\\d+) " + DIGEST_NOTE);
        assertThat(fromDigests).as("every table, those copied in one transaction (refresh_tokens) too")
                .isEqualTo(tables);

        // the same database in another file: another snapshot state, whose port resumes the append-only tables
        String event = firstEventId(first, "event_json");
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE event_json SET internal_metadata = internal_metadata || ' ' WHERE event_id = '"
                    + event + "'");
        }
        Path second = Files.copy(first, dir.resolve("second.db"));
        Cli.Result changed = port(second, target, dir);
        assertThat(changed.errorLine(5)).isEqualTo("error: verification failed: tables differ from the snapshot:"
                + " event_json (sqlite 1,500 rows, postgres 1,500 rows: 1 missing, 1 extra)");

        // the next run copies the table that differed again, from its start
        Cli.Result restored = port(Files.copy(first, dir.resolve("third.db")), target, dir);
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(count(restored.out(), "verified: (\\d+) tables")).isEqualTo(tables);
        assertThat(count(restored.out(), "  (\\d+) " + DIGEST_NOTE)).as("each digest matched, the earlier runs'"
                + " carried over to this snapshot").isEqualTo(fromDigests);
        assertThat(Files.readString(dir.resolve("port.log"))).doesNotContain("did not match")
                .contains("table event_json: finished, 1,500 rows handled this run");
    }

    private static int count(String output, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(output);
        assertThat(m.find()).as("%s in:%n%s", pattern, output).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static Cli.Result port(Path sqlite, Target target, Path dir) {
        return Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config", target.config().toString(),
                "--report", dir.resolve("report.jsonl").toString(), "--log-file", dir.resolve("port.log").toString());
    }

    /** The event of the table's first row in the snapshot. */
    private static String firstEventId(Path sqlite, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + sqlite + "?mode=ro");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT event_id FROM \"" + table + "\" ORDER BY rowid LIMIT 1")) {
            assertThat(rs.next()).as(table + " has rows").isTrue();
            return rs.getString(1);
        }
    }
}
