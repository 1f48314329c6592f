package dev.synport.port;

import dev.synport.synapse.FeedQueries;
import dev.synport.synapse.SequenceRule;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The snapshot's largest value (or negated smallest) of each sequence-feeding column, read
 * once per run: the freshness check and the sequence settings both need them.
 */
public final class SnapshotMaxima {
    private record Key(SequenceRule.Feed feed, boolean negative) {}

    private final Connection sqlite;
    private final Map<Key, Long> values = new HashMap<>();

    public SnapshotMaxima(Connection sqlite) {
        this.sqlite = sqlite;
    }

    long of(SequenceRule.Feed feed, boolean negative) throws SQLException {
        Key key = new Key(feed, negative);
        Long known = values.get(key);
        if (known == null) {
            known = FeedQueries.largestInSqlite(sqlite, feed, negative);
            values.put(key, known);
        }
        return known;
    }
}
