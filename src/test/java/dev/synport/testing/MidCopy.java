package dev.synport.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a port running in another process to reach the middle of a large table. */
public final class MidCopy {
    private MidCopy() {}

    /**
     * Waits (3 minutes at most) until the port in {@code process} is in the middle of a large
     * table of a 20,000-event synthetic snapshot; returns whether it got there.
     */
    public static boolean await(Target target, Process process) throws InterruptedException {
        return until(process, () -> checkpointBetween(target, "state_groups_state", 1000, 15000)
                || checkpointBetween(target, "event_json", 1000, 15000));
    }

    /**
     * Waits (3 minutes at most) until the port in {@code process} has copied part of
     * {@code table} (a 20,000-row table of the synthetic snapshot) and not all of it; returns
     * whether it got there.
     */
    public static boolean await(Target target, Process process, String table) throws InterruptedException {
        return until(process, () -> checkpointBetween(target, table, 1000, 15000));
    }

    /**
     * Waits (3 minutes at most) until a session of the target runs a statement starting with
     * {@code prefix}; returns whether one did.
     */
    public static boolean awaitStatement(Target target, Process process, String prefix)
            throws InterruptedException {
        return until(process, () -> {
            try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM"
                    + " pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND starts_with(query, ?)")) {
                ps.setString(1, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                return false;
            }
        });
    }

    private static boolean until(Process process, BooleanSupplier reached) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (reached.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * True while the table's checkpoint is past rowid {@code after} and before {@code before}
     * (false while the tracking table does not exist yet).
     */
    private static boolean checkpointBetween(Target target, String table, long after, long before) {
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT forward_rowid FROM port_from_sqlite3 WHERE table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > after && rs.getLong(1) < before;
            }
        } catch (SQLException e) {
            return false;
        }
    }
}
