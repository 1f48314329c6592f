package dev.synport.postgres;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every write transaction of the port asks before it commits: is the port lock still held
 * by this run? The answer is given inside the transaction and holds until its commit (see
 * {@link #beforeCommit}); once the lock is found lost, every later commit refuses, the
 * statements in flight on the watched connections are cancelled, and the run ends with one
 * line saying so. Thread-safe: the copy workers and the lock's heartbeat share it.
 */
public final class LockGuard {
    private static final Logger LOG = LoggerFactory.getLogger(LockGuard.class);
    /**
     * Whether the port lock is granted to the backend this run took it on. The backend's start
     * time is compared too, so that a new backend given the pid of a terminated one is not
     * taken for it.
     */
    private static final String HELD = "SELECT pg_try_advisory_xact_lock_shared(?), EXISTS (SELECT 1 FROM pg_locks l"
            + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ? AND l.pid = ? AND a.backend_start = ?)";

    private final String database;
    private final int pid;
    private final OffsetDateTime backendStart;
    private final Supplier<Optional<String>> diagnosis;
    private final AtomicReference<String> lost = new AtomicReference<>();
    private final Set<Connection> watched = ConcurrentHashMap.newKeySet();

    /**
     * @param pid and @param backendStart identify the backend that holds {@link PortLock#KEY}
     * @param diagnosis asks the lock's own connection: empty while it holds the lock, else why not
     */
    LockGuard(String database, int pid, OffsetDateTime backendStart, Supplier<Optional<String>> diagnosis) {
        this.database = database;
        this.pid = pid;
        this.backendStart = backendStart;
        this.diagnosis = diagnosis;
    }

    /**
     * Call in the open transaction, right before its commit: fails if the lock is lost. The
     * shared transaction lock on {@link PortLock#BARRIER} taken here lasts until the commit, and
     * a port that takes over the lock first waits for the barrier exclusively: so either this
     * check sees the lock still held and any next port waits for this commit, or the next
     * port holds the lock (or the barrier) already and the check refuses.
     */
    public void beforeCommit(Connection c) throws SQLException {
        failIfLost();
        try (PreparedStatement ps = c.prepareStatement(HELD)) {
            ps.setLong(1, PortLock.BARRIER);
            ps.setLong(2, PortLock.KEY);
            ps.setInt(3, pid);
            ps.setObject(4, backendStart);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1) || !rs.getBoolean(2)) {
                    // the lock's own connection tells why (closed, or the lock released), for the error line
                    lose(diagnosis.get().orElse("another session holds its second key (" + PortLock.BARRIER + ")"));
                }
            }
        }
        failIfLost();
    }

    /**
     * Watches a connection while it writes: should the lock be lost, its statement in flight
     * (a COPY, say) is cancelled rather than left to finish. Closing the result stops watching.
     */
    public Watch watch(Connection c) {
        watched.add(c);
        return () -> watched.remove(c);
    }

    /** A connection being watched; closing stops watching it. */
    @FunctionalInterface
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Asks the lock's connection now, after another connection failed: if the server ended all
     * of the port's sessions, the lost lock is what the run ends with.
     */
    public void probe() {
        if (!isLost()) {
            diagnosis.get().ifPresent(this::lose);
        }
    }

    /** Records the loss (the first reason counts) and cancels the statements in flight. */
    void lose(String why) {
        String message = "lost the lock that keeps other ports out of database '" + database + "': " + why
                + "; another port may have started, so this one stopped before committing more (what was"
                + " committed stays; run the same command again to continue)";
        if (!lost.compareAndSet(null, message)) {
            return;
        }
        LOG.error("{}", message);
        for (Connection c : watched) {
            try {
                c.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException e) {
                LOG.info("cancelling a statement after the lock was lost failed", e);
            }
        }
    }

    public boolean isLost() {
        return lost.get() != null;
    }

    /** The loss, if the lock is lost: the error a run ends with then, whatever else failed with it. */
    public Optional<PortException> lost() {
        return Optional.ofNullable(lost.get()).map(message -> new PortException(FailureReason.PORT_FAILED, message));
    }

    public void failIfLost() {
        Optional<PortException> error = lost();
        if (error.isPresent()) {
            throw error.get();
        }
    }
}
