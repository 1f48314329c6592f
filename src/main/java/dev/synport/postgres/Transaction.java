package dev.synport.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in one transaction on a connection that is otherwise in auto-commit mode, and
 * commits it only while the port lock is held ({@link LockGuard#beforeCommit}).
 */
public final class Transaction {
    private Transaction() {}

    /** The work: statements on the connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    /** Commits if {@code work} returns and the lock is held, else rolls back; auto-commit is restored either way. */
    public static <T> T run(Connection c, LockGuard guard, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run();
            guard.beforeCommit(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
