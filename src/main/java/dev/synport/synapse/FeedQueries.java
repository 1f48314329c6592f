package dev.synport.synapse;

import dev.synport.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The values a sequence must stay ahead of, read the same way from SQLite and PostgreSQL. */
public final class FeedQueries {
    private FeedQueries() {}

    /**
     * The last value PostgreSQL's {@code sequence} has handed out, or is treated as having handed
     * out ({@code last_value}, less one while {@code is_called} is false).
     */
    public static long lastUsed(Connection pg, String sequence) throws SQLException {
        try (Statement st = pg.createStatement();
                ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + Identifiers.quote(sequence))) {
            rs.next();
            return rs.getBoolean(2) ? rs.getLong(1) : rs.getLong(1) - 1;
        }
    }

    /** {@code MAX(column)}, or {@code -MIN(column)} when negative; 0 for an empty table or negative result. */
    public static long largest(Connection c, SequenceRule.Feed feed, boolean negative) throws SQLException {
        String column = Identifiers.quote(feed.column());
        String sql = "SELECT " + (negative ? "-MIN(" + column + ")" : "MAX(" + column + ")") + " FROM "
                + Identifiers.quote(feed.table());
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? Math.max(0, rs.getLong(1)) : 0;
        }
    }

    /**
     * As {@link #largest}, on SQLite, where a column may mix storage classes and text ranks
     * above every number: when the plain aggregate lands on something that is not an integer,
     * only the values the port would copy into an integer column count (integers, integral
     * reals, integer text).
     */
    public static long largestInSqlite(Connection c, SequenceRule.Feed feed, boolean negative) throws SQLException {
        String column = Identifiers.quote(feed.column());
        String table = Identifiers.quote(feed.table());
        String aggregate = negative ? "MIN" : "MAX";
        // a lone MIN/MAX in its own query, so that SQLite answers it from an index when there is one
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT m, typeof(m) FROM (SELECT "
                + aggregate + "(" + column + ") AS m FROM " + table + ")")) {
            if (!rs.next() || rs.getString(2).equals("null")) {
                return 0;
            }
            if (rs.getString(2).equals("integer")) {
                return Math.max(0, negative ? -rs.getLong(1) : rs.getLong(1));
            }
        }
        String integral = "CASE typeof(" + column + ")"
                + " WHEN 'integer' THEN " + column
                + " WHEN 'real' THEN CASE WHEN " + column + " = CAST(" + column + " AS INTEGER) THEN CAST(" + column
                + " AS INTEGER) END"
                + " WHEN 'text' THEN CASE WHEN ltrim(trim(" + column + "), '-') <> '' AND ltrim(trim(" + column
                + "), '-') NOT GLOB '*[^0-9]*' AND trim(" + column + ") NOT GLOB '?*-*' THEN CAST(trim(" + column
                + ") AS INTEGER) END END";
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT " + aggregate + "(" + integral + ") FROM " + table)) {
            return rs.next() ? Math.max(0, negative ? -rs.getLong(1) : rs.getLong(1)) : 0;
        }
    }

    /** The stream's largest position in {@code stream_positions} (negated minimum when negative), at least 0. */
    public static long streamPosition(Connection c, String stream, boolean negative) throws SQLException {
        String sql = "SELECT " + (negative ? "-MIN(stream_id)" : "MAX(stream_id)")
                + " FROM stream_positions WHERE stream_name = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1)) : 0;
            }
        }
    }
}
