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
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite keeps whatever it is given: text in integer columns (Synapse #15225). Such rows are
 * rejected and reported, and nothing else suffers: sequences are set from the values that do
 * arrive, and rows that point at a rejected row of their own table are rejected too instead of
 * failing the port.
 */
@ExtendWith(PostgresExtension.class)
class LooselyTypedSnapshotIT {

    @Test
    void textInIntegerColumnsCostsOnlyItsRowAndTheRowsThatNeedIt(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Path sqlite = dir.resolve("loose.db");
        Files.copy(Fixtures.file("synapse-v72-small.db"), sqlite);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite); Statement st = c.createStatement()) {
            st.execute("PRAGMA foreign_keys = OFF");
            // text ranks above every integer in SQLite's MAX(): the sequence must not follow it
            st.execute("INSERT INTO state_groups (id, room_id, event_id) VALUES ('bad', '!r:portdb.test', '$e')");
            st.execute("INSERT INTO refresh_tokens (id, user_id, device_id, token, next_token_id, expiry_ts) VALUES"
                    + " (200, '@user01:portdb.test', 'DEV', 'rt200', 201, NULL),"
                    + " (201, '@user01:portdb.test', 'DEV', 'rt201', NULL, 'soon')");
        }
        Target target = Target.create(pg, "loosely_typed", "pg-v72-synapse-init.sql", dir);
        Path report = dir.resolve("report.jsonl");
        Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", report.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("0 values repaired and 3 rows rejected");
        assertThat(Files.readAllLines(report)).satisfiesExactlyInAnyOrder(
                line -> assertThat(line).contains("\"table\":\"state_groups\"", "\"key\":{\"id\":\"bad\"}", "\"column\":\"id\"",
                        "text value in an integer column"),
                line -> assertThat(line).contains("\"table\":\"refresh_tokens\"", "\"key\":{\"id\":201}",
                        "\"column\":\"expiry_ts\""),
                line -> assertThat(line).contains("\"table\":\"refresh_tokens\"", "\"key\":{\"id\":200}",
                        "refresh_tokens_next_token_id_fkey",
                        "rt200"));
        try (Connection c = target.connect()) {
            assertThat(OfficialParityIT.column(c, "SELECT count(*) FROM state_groups")).containsExactly("375");
            assertThat(OfficialParityIT.column(c, "SELECT nextval('state_group_id_seq') > max(id) FROM state_groups"))
                    .containsExactly("t");
            assertThat(OfficialParityIT.column(c, "SELECT count(*) FROM refresh_tokens WHERE id IN (200, 201)"))
                    .containsExactly("0");
            assertThat(OfficialParityIT.column(c, "SELECT convalidated FROM pg_constraint"
                    + " WHERE conname = 'refresh_tokens_next_token_id_fkey'")).containsExactly("t");
            assertThat(OfficialParityIT.column(c, "SELECT table_name FROM port_from_sqlite3_digests"
                    + " WHERE table_name IN ('refresh_tokens', 'state_groups')"))
                    .as("a row removed after its batch voids its table's digest").containsExactly("state_groups");
        }
        Cli.Result rerun = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("rerun.jsonl").toString());
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.out()).as("refresh_tokens copied again, without a digest to resume it by")
                .contains("0 values repaired and 2 rows rejected").contains("verified: ");
    }
}
