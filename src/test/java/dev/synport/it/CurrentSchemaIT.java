package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SqliteCounts;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Synapse schema version with a reference: empty and synthetic snapshots port completely
 * into a target Synapse prepared.
 */
@ExtendWith(PostgresExtension.class)
class CurrentSchemaIT {
    /** Tables the tool deliberately does not copy (see docs/DESIGN.md), and Synapse's bookkeeping. */
    static final Set<String> NOT_COPIED = Set.of("schema_version", "applied_schema_deltas", "background_updates",
            "user_directory", "user_directory_search", "users_who_share_private_rooms", "users_in_public_rooms",
            "ui_auth_sessions", "ui_auth_sessions_credentials", "ui_auth_sessions_ips", "worker_locks",
            "worker_read_write_locks", "worker_read_write_locks_mode", "user_directory_stream_pos");

    static Stream<Integer> versions() {
        return Fixtures.schemaVersions().stream();
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void emptySnapshotPortsAndLeavesTheSnapshotUntouched(int version, PostgresServer pg, @TempDir Path dir)
            throws Exception {
        // The fixture itself, in WAL mode and (in CI) in a read-only directory.
        Path sqlite = Fixtures.file("synapse-v" + version + "-empty.db");
        String before = sha256(sqlite);
        Target target = Target.create(pg, "empty_v" + version, "pg-v" + version + "-synapse-init.sql", dir);
        Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("r.jsonl").toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(sha256(sqlite)).isEqualTo(before);
        assertThat(Files.exists(Path.of(sqlite + "-wal"))).isFalse();
        assertThat(Files.exists(Path.of(sqlite + "-shm"))).isFalse();
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void syntheticSnapshotArrivesRowForRowWithIdentitiesAndSequences(int version, PostgresServer pg,
            @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v" + version + "-empty.db", version % 10 == 4 ? 3000 : 600, 11);
        String before = sha256(sqlite);
        Target target = Target.create(pg, "synthetic_v" + version, "pg-v" + version + "-synapse-init.sql", dir);
        Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("r.jsonl").toString(), "--batch-size", "500");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("Nothing repaired or rejected|repaired and 0 rows rejected");
        assertThat(result.err()).as("no warning").isEmpty();
        assertThat(sha256(sqlite)).isEqualTo(before);

        Map<String, Long> sqliteRows = SqliteCounts.rows(sqlite);
        try (Connection c = target.connect()) {
            for (Map.Entry<String, Long> e : sqliteRows.entrySet()) {
                if (NOT_COPIED.contains(e.getKey()) || !exists(c, e.getKey())) {
                    continue;
                }
                assertThat(count(c, e.getKey())).as("rows of " + e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(count(c, "events")).isPositive();
            identityColumnsKeepValuesAndSequencesContinue(c, sqlite);
        }
    }

    @Test
    void walSnapshotWithPendingLogIsReadWithItsCommittedTransactions(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Path copy = dir.resolve("wal.db");
        Files.copy(Fixtures.file("synapse-v94-empty.db"), copy);
        Path snapshotDir = Files.createDirectory(dir.resolve("snapshot"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA wal_autocheckpoint = 0");
                st.execute("INSERT INTO users (name, creation_ts, is_guest, deactivated, admin)"
                        + " VALUES ('@walter:portdb.test', 1, 0, 0, 0)");
            }
            // Copy the database and its log while the log still holds the insert, as a
            // snapshot of a running Synapse taken with cp would.
            Files.copy(copy, snapshotDir.resolve("wal.db"));
            Files.copy(Path.of(copy + "-wal"), snapshotDir.resolve("wal.db-wal"));
        }
        Target target = Target.create(pg, "wal_pending", "pg-v94-synapse-init.sql", dir);
        Cli.Result result = Cli.run("--sqlite-database", snapshotDir.resolve("wal.db").toString(),
                "--postgres-config", target.config().toString(), "--report", dir.resolve("r.jsonl").toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        try (Connection c = target.connect()) {
            assertThat(count(c, "users")).isEqualTo(1);
        }
    }

    private static void identityColumnsKeepValuesAndSequencesContinue(Connection c, Path sqlite) throws Exception {
        List<String[]> identities = List.of(
                new String[] {"sliding_sync_connections", "connection_key"},
                new String[] {"sliding_sync_connection_positions", "connection_position"},
                new String[] {"sliding_sync_connection_required_state", "required_state_id"},
                new String[] {"state_groups_pending_deletion", "sequence_number"});
        try (Connection s = SqliteCounts.open(sqlite)) {
            for (String[] identity : identities) {
                if (!exists(c, identity[0])) {
                    continue; // an identity column of a later schema version
                }
                String sum = "SELECT coalesce(sum(" + identity[1] + "), 0), coalesce(max(" + identity[1] + "), 0) FROM "
                        + identity[0];
                long[] inSqlite = pair(s, sum);
                long[] inPostgres = pair(c, sum);
                assertThat(inPostgres).as(identity[0]).containsExactly(inSqlite);
                long next = pair(c, "SELECT nextval(pg_get_serial_sequence('" + identity[0] + "', '" + identity[1]
                        + "')), 0")[0];
                assertThat(next).as("next " + identity[0] + "." + identity[1]).isGreaterThan(inSqlite[1]);
            }
        }
    }

    private static long[] pair(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    static boolean exists(Connection c, String table) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '"
                        + table.replace("'", "''") + "'")) {
            return rs.next();
        }
    }

    static long count(Connection c, String table) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
