package dev.synport.synapse;

import java.util.List;
import java.util.Optional;

/**
 * How one Synapse sequence relates to the data: the columns whose values it hands out, the
 * {@code stream_positions} stream it must stay ahead of, or a special rule.
 *
 * @param negative the feeds hold negated values (backfill): the sequence follows {@code -MIN(column)}
 * @param identity the identity column this sequence belongs to (SQLite AUTOINCREMENT)
 */
public record SequenceRule(
        String name,
        Optional<String> stream,
        boolean negative,
        List<Feed> feeds,
        Optional<Special> special,
        Optional<Feed> identity) {

    public SequenceRule {
        feeds = List.copyOf(feeds);
    }

    /** A table column whose values the sequence hands out. */
    public record Feed(String table, String column) {}

    /** Sequences whose value is not the maximum of a column. */
    public enum Special {
        /** {@code user_id_seq}: the largest numeric localpart of a local user id. */
        NUMERIC_USER_LOCALPART
    }
}
