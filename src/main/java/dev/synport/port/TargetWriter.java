package dev.synport.port;

import java.sql.Connection;
import java.sql.SQLException;

/** Where a table's COPY data goes, and what must happen after each COPY in the same transaction. */
public interface TargetWriter {
    /** Called once on each connection before its first COPY. */
    void prepare(Connection connection) throws SQLException;

    /** The {@code COPY ... FROM STDIN} statement. */
    String copyStatement();

    /** Runs after each COPY, in its transaction. */
    void afterCopy(Connection connection) throws SQLException;
}
