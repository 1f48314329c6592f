package dev.synport.port;

import dev.synport.sqlite.RecordHash;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of {@code event_search}'s rows that is not in its own records: each full-text row
 * (a record of {@code event_search_content}, by docid) is ported with two columns of the event
 * it names, joined by event and room id. Either those joined columns are hashed ({@link #read}),
 * or, where every row joined an event, its record hash says it stands on {@code events}' own
 * proof instead ({@link #BY_EVENTS}): while the events rows a digest of {@code events} from its
 * start covers are unchanged, and event ids are unique, each such row joins the same event with
 * the same columns, and its joined columns need not be read again.
 */
final class SearchJoin {
    private static final Logger LOG = LoggerFactory.getLogger(SearchJoin.class);
    /** The table an FTS4 table keeps its rows in, by docid (its rowid). */
    static final String CONTENT = Planner.EVENT_SEARCH + "_content";
    static final String EVENTS = "events";
    /** Added to the content records' hash in place of the joined columns' hash, where those stand on events' proof. */
    static final long BY_EVENTS = 0x6a09e667f3bcc909L;
    /** Stands for a NULL joined column (no event): a value no timestamp or stream ordering takes. */
    private static final long NULL = 0x8000_0000_0000_0001L;

    /** The joined columns' hash (the sum of one per row) of the rows read, and how many joined no event. */
    record Columns(long hash, long unjoined) {}

    /** The joined columns of the rows with docids within {@code ranges}; empty if they cannot be joined. */
    Optional<Columns> read(Connection sqlite, List<RecordHash.Range> ranges) {
        long hash = 0;
        long unjoined = 0;
        try (PreparedStatement ps = sqlite.prepareStatement("SELECT s.docid, e.origin_server_ts, e.stream_ordering,"
                + " e.rowid IS NULL FROM " + CONTENT + " AS s LEFT JOIN " + EVENTS + " AS e"
                + " ON e.event_id = s.c0event_id AND e.room_id = s.c1room_id WHERE s.docid BETWEEN ? AND ?")) {
            for (RecordHash.Range range : ranges) {
                ps.setLong(1, range.first());
                ps.setLong(2, range.last());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        hash += step(step(step(0, rs.getLong(1)), value(rs, 2)), value(rs, 3));
                        unjoined += rs.getBoolean(4) ? 1 : 0;
                    }
                }
            }
        } catch (SQLException e) {
            LOG.info("event_search: its full-text rows cannot be joined as expected ({}); its rows are read instead",
                    e.getMessage());
            return Optional.empty();
        }
        return Optional.of(new Columns(hash, unjoined));
    }

    /** Whether the snapshot's {@code events} has a unique index on {@code event_id} alone (Synapse's has). */
    boolean eventIdsUnique(Connection sqlite) throws SQLException {
        try (Statement st = sqlite.createStatement(); ResultSet rs = st.executeQuery("SELECT 1"
                + " FROM pragma_index_list('" + EVENTS + "') AS l, pragma_index_info(l.name) AS i"
                + " WHERE l.\"unique\" = 1 AND l.partial = 0 GROUP BY l.name"
                + " HAVING count(*) = 1 AND max(i.name) = 'event_id'")) {
            return rs.next();
        }
    }

    private static long value(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? NULL : value;
    }

    private static long step(long hash, long value) {
        long x = (Long.rotateLeft(hash, 23) ^ value) * 0x9e3779b97f4a7c15L;
        return x ^ (x >>> 31);
    }
}
