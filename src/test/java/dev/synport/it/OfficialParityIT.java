package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SqlScript;
import dev.synport.testing.Target;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v72 fixtures ported into a Synapse-prepared target end exactly as Synapse 1.66's own
 * script left them, apart from the documented differences: the user directory's rebuild is
 * queued in background_updates, and users_in_public_rooms (which the rebuild fills) is not copied.
 */
@ExtendWith(PostgresExtension.class)
class OfficialParityIT {

    @Test
    void smallFixtureMatchesTheOfficialPortTableByTableAndSequenceBySequence(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Target target = Target.create(pg, "parity_ours", "pg-v72-synapse-init.sql", dir);
        Cli.Result result = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(),
                "--postgres-config", target.config().toString(), "--report", dir.resolve("report.jsonl").toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Nothing repaired or rejected.");

        try (Connection c = target.connect()) {
            DatabaseState ours = DatabaseState.read(c, INTENDED_DIFFERENCES);
            assertThat(ours.differences(officialState(pg))).isEmpty();
            assertThat(ours.tables().get("events").rows()).isEqualTo(3355);
            assertThat(ours.tables().get("event_search").rows()).isEqualTo(1957);
            assertThat(column(c, "SELECT update_name FROM background_updates ORDER BY update_name")).containsExactly(
                    "populate_user_directory_cleanup", "populate_user_directory_createtables",
                    "populate_user_directory_process_rooms", "populate_user_directory_process_users");
            assertThat(column(c, "SELECT count(*) FROM users_in_public_rooms")).containsExactly("0");
            assertThat(column(c, "SELECT coalesce(stream_id::text, 'null') FROM user_directory_stream_pos"))
                    .containsExactly("null");
        }
    }

    @Test
    void emptyFixturePortsAndMatchesTheSynapsePreparedTarget(PostgresServer pg, @TempDir Path dir) throws Exception {
        Target target = Target.create(pg, "parity_empty", "pg-v72-synapse-init.sql", dir);
        DatabaseState before;
        try (Connection c = target.connect()) {
            before = DatabaseState.read(c, "background_updates", "user_directory_stream_pos");
        }
        Cli.Result result = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-empty.db").toString(),
                "--postgres-config", target.config().toString(), "--report", dir.resolve("report.jsonl").toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        try (Connection c = target.connect()) {
            DatabaseState after = DatabaseState.read(c, "background_updates", "user_directory_stream_pos",
                    "port_from_sqlite3");
            assertThat(after.tables().keySet()).containsAll(before.tables().keySet());
            assertThat(after.tables().get("events").rows()).isZero();
            assertThat(after.nextValues().get("events_stream_seq")).isEqualTo(2);
        }
    }

    /** Tables left out of the comparison: the tracking table and the documented differences. */
    static final String[] INTENDED_DIFFERENCES = {"port_from_sqlite3", "port_from_sqlite3_digests", "background_updates",
        "users_in_public_rooms"};

    /** The official script's result for the small fixture, loaded once per server. */
    static synchronized DatabaseState officialState(PostgresServer pg) throws Exception {
        String database = "parity_official";
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!rs.next()) {
                pg.createDatabase(database);
                try (Connection o = pg.connect(database)) {
                    SqlScript.run(o, Fixtures.file("pg-v72-schema.sql"));
                    try (Statement replica = o.createStatement()) {
                        replica.execute("SET session_replication_role = replica");
                    }
                    SqlScript.run(o, Fixtures.file("official-port-v72-small.data.sql"));
                }
            }
        }
        try (Connection c = pg.connect(database)) {
            return DatabaseState.read(c, INTENDED_DIFFERENCES);
        }
    }

    static List<String> column(Connection c, String sql) throws Exception {
        List<String> values = new java.util.ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
