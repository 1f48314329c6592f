package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.postgres.PortLock;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.MidCopy;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The port lock and the target's sessions under attack, with the real program: its lock's
 * backend terminated while a second port starts, every backend terminated mid-COPY, idle and
 * statement timeouts set for the database, a table locked by another session.
 */
@ExtendWith(PostgresExtension.class)
class LockGuardIT {
    private static final String INIT = "pg-v94-synapse-init.sql";
    private static final String SECOND = "second-port";

    private static Path sqlite;
    private static DatabaseState reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void portOnceUndisturbed(PostgresServer pg, @TempDir Path setup) throws Exception {
        sqlite = Fixtures.synthetic("synapse-v94-empty.db", 20000, 3);
        Target target = Target.create(pg, "lockguard_reference", INIT, setup);
        Process port = start(setup, "port", target.config(), "200", "2");
        assertThat(finish(port)).as(Files.readString(setup.resolve("port.err"))).isZero();
        reference = target.state();
    }

    @Test
    void aPortWhoseLockBackendIsTerminatedStopsAtOnceAndNeverWritesBesideTheNextPort(PostgresServer pg)
            throws Exception {
        Target target = Target.create(pg, "lockguard_takeover", INIT, dir);
        recordWrites(target);
        Path second = dir.resolve("second.yaml");
        Files.writeString(second, Target.yaml(pg, target.database()) + "    application_name: " + SECOND + "\n");
        Process first = start(dir, "first", target.config(), "200", "2");
        assertThat(MidCopy.await(target, first)).isTrue();

        OffsetDateTime lost;
        try (Connection c = target.connect()) {
            lost = terminate(c, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    + " AND ((classid::bigint << 32) | objid::bigint) = " + PortLock.KEY);
        }
        Process next = start(dir, "second", second, "200", "2");

        assertThat(finish(first)).isEqualTo(5);
        assertThat(Files.readString(dir.resolve("first.err"))).isEqualTo(lockLost(target));
        assertThat(finish(next)).as(Files.readString(dir.resolve("second.err"))).isZero();
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement("SELECT"
                + " count(*) FILTER (WHERE app <> ?), count(*) FILTER (WHERE app <> ? AND at > ?),"
                + " max(at) FILTER (WHERE app <> ?) < min(at) FILTER (WHERE app = ?),"
                + " count(*) FILTER (WHERE app = ?) FROM audit.writes")) {
            for (int i : new int[] {1, 2, 4}) {
                ps.setString(i, SECOND);
            }
            ps.setObject(3, lost);
            ps.setString(5, SECOND);
            ps.setString(6, SECOND);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("the first port's committed COPYs").isPositive();
                assertThat(rs.getLong(2)).as("the first port's COPYs committed after its lock was gone").isZero();
                assertThat(rs.getBoolean(3)).as("the first port's last COPY came before the second's first").isTrue();
                assertThat(rs.getLong(4)).as("the second port's COPYs").isPositive();
            }
        }
        assertThat(target.state().differences(reference)).isEmpty();
    }

    @Test
    void everyBackendTerminatedMidCopyEndsWithOneErrorLineAndTheRerunFinishes(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "lockguard_all", INIT, dir);
        Process port = start(dir, "port", target.config(), "200", "2");
        assertThat(MidCopy.await(target, port)).isTrue();
        try (Connection c = target.connect()) {
            terminate(c, "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = 'synapse-port-db'");
        }

        assertThat(finish(port)).isEqualTo(5);
        // whichever connection noticed first says it: the lock's, or a copy's
        assertThat(Files.readString(dir.resolve("port.err"))).matches(Pattern.quote(lockLost(target)) + "|"
                + Pattern.quote("error: copying table ") + "\\w+" + Pattern.quote(" failed: the connection was closed"
                        + " (the server ended it, or the network dropped it); what was committed stays: run the same"
                        + " command again to continue\n"));
        Process rerun = start(dir, "rerun", target.config(), "200", "2");
        assertThat(finish(rerun)).as(Files.readString(dir.resolve("rerun.err"))).isZero();
        assertThat(target.state().differences(reference)).isEmpty();
    }

    @Test
    void anIdleSessionTimeoutShorterThanTheCopyDoesNotEndThePortsSessions(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "lockguard_idle", INIT, dir);
        alterDatabase(target, "idle_session_timeout", "1s");
        Process port = start(dir, "port", target.config(), "500", "1");

        assertThat(finish(port)).as(Files.readString(dir.resolve("port.err"))).isZero();
        assertThat(target.state().differences(reference)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lock_timeout", "statement_timeout"})
    void aTimeoutHitWhileWaitingForATableNamesTheTable(String setting, PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "lockguard_" + setting, INIT, dir);
        alterDatabase(target, setting, "2s");
        Process port = start(dir, "port", target.config(), "200", "1");
        assertThat(MidCopy.await(target, port, "event_json")).isTrue();
        try (Connection locker = lockTable(target, "event_json")) {
            assertThat(finish(port)).isEqualTo(5);
        }
        assertThat(Files.readString(dir.resolve("port.err"))).isEqualTo("error: copying table event_json failed: ERROR:"
                + " canceling statement due to " + setting.replace('_', ' ') + "\n");
    }

    @Test
    void aTableLockedByAnotherSessionIsReportedAndThePortGoesOnOnceItIsReleased(PostgresServer pg) throws Exception {
        Target target = Target.create(pg, "lockguard_waits", INIT, dir);
        Process port = start(dir, "port", target.config(), "200", "1");
        assertThat(MidCopy.await(target, port, "event_json")).isTrue();
        try (Connection locker = lockTable(target, "event_json")) {
            int holder = pid(locker);
            String waiting = "warning: waiting for a lock on table event_json held by PostgreSQL backend pid " + holder
                    + " (application 'lock-holder', idle in transaction); the port goes on once that session ends"
                    + " its transaction (or is ended: SELECT pg_terminate_backend(" + holder + "))\n";
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (port.isAlive() && System.nanoTime() < deadline
                    && !Files.readString(dir.resolve("port.err")).contains(waiting)) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(dir.resolve("port.err"))).isEqualTo(waiting);
            assertThat(port.isAlive()).isTrue();
            locker.rollback();
        }

        assertThat(finish(port)).as(Files.readString(dir.resolve("port.err"))).isZero();
        assertThat(target.state().differences(reference)).isEmpty();
    }

    /** Starts a port of the snapshot; stdout and stderr go to {@code name.out} and {@code name.err} in {@code dir}. */
    private static Process start(Path dir, String name, Path config, String batchSize, String jobs) throws IOException {
        return JarRun.start(List.of(), dir.resolve(name + ".out"), dir.resolve(name + ".err"), "--sqlite-database",
                sqlite.toString(), "--postgres-config", config.toString(), "--batch-size", batchSize, "--jobs", jobs,
                "--report", dir.resolve(name + ".jsonl").toString());
    }

    private static int finish(Process process) throws InterruptedException {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the port did not finish in 5 minutes");
        }
        return process.exitValue();
    }

    private static String lockLost(Target target) {
        return "error: lost the lock that keeps other ports out of database '" + target.database() + "': its"
                + " connection was closed (the server ended it, or the network dropped it); another port may have"
                + " started, so this one stopped before committing more (what was committed stays; run the same"
                + " command again to continue)\n";
    }

    /** Terminates the backends the query names, waits until each is gone, and returns the server's time then. */
    private static OffsetDateTime terminate(Connection c, String pids) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 60000)) FROM (" + pids + ") p")) {
            // some may end on their own meanwhile (the port closes its connections once one fails)
            rs.next();
            assertThat(rs.getLong(1)).as("backends terminated").isPositive();
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }

    /**
     * Records, in a schema of its own, the end of every write statement into the tables of
     * the Synapse schema with the time and the writer's application name; what is still there
     * after the ports is what they committed.
     */
    private static void recordWrites(Target target) throws SQLException {
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA audit");
            st.execute("CREATE TABLE audit.writes (at timestamptz NOT NULL, app text NOT NULL, tbl text NOT NULL)");
            st.execute("CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " INSERT INTO audit.writes VALUES (clock_timestamp(), current_setting('application_name'),"
                    + " TG_TABLE_NAME); RETURN NULL; END $$");
            st.execute("DO $$ DECLARE t text; BEGIN"
                    + " FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP"
                    + " EXECUTE format('CREATE TRIGGER audit_writes AFTER INSERT OR UPDATE OR DELETE ON public.%I"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION audit.record()', t); END LOOP; END $$");
        }
    }

    private static void alterDatabase(Target target, String setting, String value) throws SQLException {
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE \"" + target.database() + "\" SET " + setting + " = '" + value + "'");
        }
    }

    /** A session that holds {@code table} locked, in a transaction left open, under its own name. */
    private static Connection lockTable(Target target, String table) throws SQLException {
        Connection c = target.connect();
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = 'lock-holder'");
            st.execute("SET lock_timeout = 0");
            st.execute("SET statement_timeout = 0");
            c.setAutoCommit(false);
            st.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
