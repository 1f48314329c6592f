package dev.synport.postgres;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A session-level PostgreSQL advisory lock on the target database, held on its own
 * connection for the whole run so that two ports never write to one target at once.
 * Closing releases it (and the server releases it if this process dies).
 */
public final class PortLock implements AutoCloseable {
    /**
     * "synport" in ASCII: the key space is per database, so a constant key is enough. Public so
     * that operators and tests can see or take it ({@code SELECT pg_advisory_lock(32503137561440884)}).
     */
    public static final long KEY = 0x73796e706f7274L;

    private final Connection connection;

    private PortLock(Connection connection) {
        this.connection = connection;
    }

    /** Takes the lock or fails at once, naming the backend that holds it. */
    public static PortLock acquire(Connection connection, String database) throws SQLException {
        String holder;
        boolean acquired = false;
        try {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        acquired = true;
                        return new PortLock(connection);
                    }
                }
            }
            holder = holder(connection);
        } finally {
            if (!acquired) {
                connection.close();
            }
        }
        throw new PortException(FailureReason.PORT_FAILED, "another port into database '" + database
                + "' is running" + holder + "; wait for it to finish, or stop it, then run again");
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

    @Override
    public void close() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, KEY);
            ps.execute();
        } finally {
            connection.close();
        }
    }
}
