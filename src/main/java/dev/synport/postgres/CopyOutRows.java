package dev.synport.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Reads the rows of a {@code COPY ... TO STDOUT} one at a time, each without its newline. A
 * copy stopped early, or by a failure, is cancelled, so the connection is usable again.
 */
public final class CopyOutRows {
    /** Takes one row: its bytes up to {@code length}; false stops the reading. */
    @FunctionalInterface
    public interface Row {
        boolean take(byte[] row, int length) throws SQLException;
    }

    private CopyOutRows() {}

    /** Gives each row {@code command} yields to {@code row}; false if {@code row} stopped it early. */
    public static boolean forEach(Connection c, String command, Row row) throws SQLException {
        CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut(command);
        try {
            byte[] bytes;
            while ((bytes = copy.readFromCopy()) != null) {
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\n' ? bytes.length - 1 : bytes.length;
                if (!row.take(bytes, length)) {
                    return false;
                }
            }
            return true;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}
