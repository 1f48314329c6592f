package dev.synport.postgres;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session-level PostgreSQL advisory lock on the target database, held on its own
 * connection for the whole run so that two ports never write to one target at once.
 * A heartbeat uses that connection every {@link #HEARTBEAT}, so that no proxy or timeout sees
 * it idle, and checks that the lock is still held: when it is not (the backend was
 * terminated, the connection dropped), the {@link LockGuard} stops the port at once. The same
 * beat reports the port's statements that wait for a lock another session holds. Closing
 * releases the lock (and the server releases it if this process dies).
 */
public final class PortLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortLock.class);
    /**
     * "synport" in ASCII: the key space is per database, so a constant key is enough. Public so
     * that operators and tests can see or take it ({@code SELECT pg_advisory_lock(32503137561440884)}).
     */
    public static final long KEY = 0x73796e706f7274L;
    /**
     * The second key, which orders a port that takes over {@link #KEY} after the transactions of
     * one that lost it: each write transaction holds it shared up to its commit
     * ({@link LockGuard#beforeCommit}); a port that has just taken {@link #KEY} takes it
     * exclusively once, and so waits for those transactions to end.
     */
    public static final long BARRIER = KEY + 1;
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** How long the lock's connection may take to answer before it counts as dropped. */
    private static final Duration ANSWER = Duration.ofSeconds(30);

    private static final String STILL_HELD = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            + " AND granted AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = ?)";
    /** The port's other backends that wait for a lock, what they wait for, and who holds it. */
    private static final String WAITS = "SELECT w.pid,"
            + " coalesce('a lock on table ' || c.relname, 'a lock (' || l.locktype || ')'),"
            + " b.pid, b.application_name, b.state FROM pg_stat_activity w JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted"
            + " LEFT JOIN pg_class c ON l.locktype = 'relation' AND c.oid = l.relation"
            + " CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)"
            + " JOIN pg_stat_activity b ON b.pid = blocker.pid"
            + " WHERE w.datname = current_database() AND w.application_name = current_setting('application_name')"
            + " AND w.pid <> pg_backend_pid() ORDER BY 1, 2, 3";

    private final Connection connection;
    private final LockGuard guard;
    private final Consumer<String> warnings;
    private final ScheduledExecutorService heartbeat;
    /** Set by the heartbeat's thread when it starts, so that the guard's questions from it run directly. */
    private volatile Thread heartbeatThread;
    /** Lock waits seen at the last beat, and those already reported; used by the heartbeat thread only. */
    private Set<String> waitsSeen = new HashSet<>();
    private final Set<String> waitsReported = new HashSet<>();

    private PortLock(Connection connection, String database, Consumer<String> warnings) throws SQLException {
        this.connection = connection;
        this.warnings = warnings;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "port-lock");
            t.setDaemon(true);
            heartbeatThread = t;
            return t;
        });
        this.guard = guard(connection, database, this::diagnose);
    }

    /**
     * Takes the lock or fails at once, naming the backend that holds it; then waits for the
     * last commits of a port that lost it, and starts the heartbeat.
     *
     * @param warnings where lock waits are reported (from the heartbeat's thread)
     */
    public static PortLock acquire(Connection connection, String database, Consumer<String> warnings)
            throws SQLException {
        String holder;
        boolean acquired = false;
        boolean handedOver = false;
        try {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    acquired = rs.getBoolean(1);
                }
            }
            if (acquired) {
                PortLock lock = new PortLock(connection, database, warnings);
                lock.start();
                handedOver = true;
                return lock;
            }
            holder = holder(connection);
        } finally {
            if (!handedOver) {
                // the connection goes back to the pool: it must not keep the session's lock there
                if (acquired) {
                    unlock(connection);
                }
                connection.close();
            }
        }
        throw new PortException(FailureReason.PORT_FAILED, "another port into database '" + database
                + "' is running" + holder + "; wait for it to finish, or stop it, then run again");
    }

    /** What the write transactions check before they commit. */
    public LockGuard guard() {
        return guard;
    }

    private static LockGuard guard(Connection connection, String database, Supplier<Optional<String>> diagnosis)
            throws SQLException {
        try (Statement st = connection.createStatement()) {
            LOG.info("took the port lock; waiting for the transactions of any earlier port that lost it");
            st.execute("SELECT pg_advisory_lock(" + BARRIER + ")");
            st.execute("SELECT pg_advisory_unlock(" + BARRIER + ")");
            try (ResultSet rs = st.executeQuery("SELECT pid, backend_start FROM pg_stat_activity"
                    + " WHERE pid = pg_backend_pid()")) {
                rs.next();
                return new LockGuard(database, rs.getInt(1), rs.getObject(2, OffsetDateTime.class), diagnosis);
            }
        }
    }

    private void start() throws SQLException {
        // a network that drops the connection silently would otherwise leave a beat waiting forever
        connection.setNetworkTimeout(heartbeat, (int) ANSWER.toMillis());
        long period = HEARTBEAT.toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            guard.probe();
            if (!guard.isLost()) {
                reportWaits();
            }
        } catch (SQLException e) {
            LOG.info("looking for lock waits failed", e);
        } catch (RuntimeException e) {
            // the beat must go on: an unexpected failure is logged, not left to end the scheduler silently
            LOG.warn("the port lock's heartbeat failed", e);
        }
    }

    /**
     * Whether the lock's connection still holds the lock: empty if so, else why not. Runs on the
     * heartbeat's thread, the only one that uses the connection after it is taken.
     */
    private Optional<String> diagnose() {
        if (Thread.currentThread() == heartbeatThread) {
            return stillHeld();
        }
        try {
            return heartbeat.submit(this::stillHeld).get(ANSWER.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return Optional.empty(); // closing: the run is over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("checking it was interrupted");
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("checking the port lock failed", e);
            return Optional.of("its connection does not answer");
        }
    }

    private Optional<String> stillHeld() {
        try (PreparedStatement ps = connection.prepareStatement(STILL_HELD)) {
            ps.setLong(1, KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? Optional.empty()
                        : Optional.of("its connection no longer holds it (released with pg_advisory_unlock?)");
            }
        } catch (SQLException e) {
            LOG.warn("the port lock's connection failed", e);
            return Optional.of("its " + TargetErrors.CONNECTION_CLOSED);
        }
    }

    /**
     * Reports each wait seen at two beats in a row (so for a few seconds), once: which table,
     * which backend holds it and what that backend is doing.
     */
    private void reportWaits() throws SQLException {
        Set<String> seen = new HashSet<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(WAITS)) {
            while (rs.next()) {
                String what = rs.getString(2);
                int blocker = rs.getInt(3);
                String wait = rs.getInt(1) + "/" + what + "/" + blocker;
                seen.add(wait);
                if (waitsSeen.contains(wait) && waitsReported.add(wait)) {
                    warnings.accept("waiting for " + what + " held by PostgreSQL backend pid " + blocker
                            + " (application '" + rs.getString(4) + "', " + rs.getString(5) + "); the port goes on once that session ends its transaction"
                            + " (or is ended: SELECT pg_terminate_backend(" + blocker + "))");
                }
            }
        }
        waitsSeen = seen;
    }

    private static String holder(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT l.pid, a.client_addr, a.application_name"
                + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database"
                + " WHERE datname = current_database()) AND ((l.classid::bigint << 32) | l.objid::bigint) = ?")) {
            ps.setLong(1, KEY);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return " (PostgreSQL backend pid " + rs.getInt(1) + ", application '" + rs.getString(3) + "')";
                }
            }
        }
        return "";
    }

    /** Stops the heartbeat, then releases the lock; a lost lock's connection is only closed. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            if (!heartbeat.awaitTermination(HEARTBEAT.toMillis() * 5, TimeUnit.MILLISECONDS)) {
                LOG.warn("the port lock's heartbeat did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (connection) {
            if (!guard.isLost()) {
                unlock(connection);
            }
        } catch (SQLException e) {
            // every commit was checked under the lock; a session gone now took its lock with it
            LOG.warn("releasing the port lock failed (its session has ended, and the lock with it)", e);
        }
    }

    private static void unlock(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, KEY);
            ps.execute();
        }
    }
}
