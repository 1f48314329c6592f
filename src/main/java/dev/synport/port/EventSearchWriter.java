package dev.synport.port;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code event_search}: SQLite keeps the text in an FTS table, PostgreSQL a tsvector plus the
 * event's {@code origin_server_ts} and {@code stream_ordering}. Rows are copied into a
 * session-local staging table, then inserted with {@code to_tsvector('english', value)}, as
 * Synapse computes it.
 */
final class EventSearchWriter implements TargetWriter {
    static final String STAGING = "synapse_port_db_event_search";

    @Override
    public void prepare(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + STAGING + " (event_id text, room_id text,"
                    + " sender text, key text, value text, origin_server_ts bigint, stream_ordering bigint)"
                    + " ON COMMIT DELETE ROWS");
        }
    }

    @Override
    public String copyStatement() {
        return "COPY " + STAGING
                + " (event_id, room_id, sender, key, value, origin_server_ts, stream_ordering) FROM STDIN";
    }

    @Override
    public void afterCopy(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO event_search"
                    + " (event_id, room_id, sender, key, vector, origin_server_ts, stream_ordering)"
                    + " SELECT event_id, room_id, sender, key, to_tsvector('english', value), origin_server_ts,"
                    + " stream_ordering FROM " + STAGING);
            st.executeUpdate("DELETE FROM " + STAGING);
        }
    }
}
