package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.postgres.TargetCatalog;
import dev.synport.sqlite.SnapshotSchema;
import dev.synport.synapse.FeedQueries;
import dev.synport.synapse.SequenceRule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets Synapse's sequences from the snapshot before any row is copied, so that a crash
 * never leaves a sequence behind its table. A sequence is set to the largest value its feeds
 * hold (negated minimum for backfill) with {@code setval(seq, value, true)}: the next value
 * handed out is {@code value + 1}, and Synapse (which reads {@code last_value}) sees
 * {@code value} as the current position. A sequence whose feeds are all empty keeps the
 * state Synapse gave it (a created schema reproduces that state, see {@code PostgresKnowledge}),
 * and no sequence is moved back: an empty snapshot leaves every sequence exactly as Synapse
 * initialised it, and a rerun after a kill finds nothing to change.
 */
public final class SequenceSetter {
    private static final Pattern NUMERIC_LOCALPART = Pattern.compile("^@(\\d+):");

    /** A value to give a sequence. */
    public record Setting(String sequence, long value) {}

    /** Computes the settings from the snapshot; sequences the target lacks or whose feeds the snapshot lacks are left alone. */
    public List<Setting> compute(Connection sqlite, SnapshotMaxima maxima, SnapshotSchema snapshot, TargetCatalog target,
            List<SequenceRule> rules) throws SQLException {
        List<Setting> settings = new ArrayList<>();
        for (SequenceRule rule : rules) {
            if (!target.sequences().contains(rule.name())) {
                continue;
            }
            long value;
            if (rule.special().isPresent()) {
                if (!snapshot.hasColumn("users", "name")) {
                    continue;
                }
                value = largestNumericLocalpart(sqlite);
            } else if (rule.identity().isPresent()) {
                SequenceRule.Feed feed = rule.identity().get();
                if (!snapshot.hasColumn(feed.table(), feed.column())) {
                    continue;
                }
                value = Math.max(snapshot.autoincrement().getOrDefault(feed.table(), 0L),
                        maxima.of(feed, false));
            } else {
                List<SequenceRule.Feed> present = rule.feeds().stream()
                        .filter(f -> snapshot.hasColumn(f.table(), f.column())).toList();
                if (present.isEmpty()) {
                    continue;
                }
                value = 0;
                for (SequenceRule.Feed feed : present) {
                    value = Math.max(value, maxima.of(feed, rule.negative()));
                }
                if (rule.stream().isPresent() && snapshot.hasColumn("stream_positions", "stream_id")) {
                    value = Math.max(value, FeedQueries.streamPosition(sqlite, rule.stream().get(), rule.negative()));
                }
            }
            if (value > 0) {
                settings.add(new Setting(rule.name(), value));
            }
        }
        return settings;
    }

    /**
     * Applies the settings in the caller's transaction, each only where it moves the sequence
     * forward: a sequence already at {@code value} (or beyond) keeps its state.
     */
    public void apply(Connection pg, List<Setting> settings) throws SQLException {
        try (PreparedStatement ps = pg.prepareStatement("SELECT setval(?::regclass, ?, true)")) {
            for (Setting s : settings) {
                if (FeedQueries.lastUsed(pg, s.sequence()) >= s.value()) {
                    continue;
                }
                ps.setString(1, Identifiers.quote(s.sequence()));
                ps.setLong(2, s.value());
                ps.execute();
            }
        }
    }

    /** Synapse's rule for {@code user_id_seq}: the largest all-digit localpart of a user id. */
    static long largestNumericLocalpart(Connection sqlite) throws SQLException {
        long max = 0;
        try (Statement st = sqlite.createStatement();
                ResultSet rs = st.executeQuery("SELECT name FROM users WHERE '@0' <= name AND name < '@a'")) {
            while (rs.next()) {
                Matcher m = NUMERIC_LOCALPART.matcher(rs.getString(1));
                if (m.find() && m.group(1).length() < 19) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
        }
        return max;
    }
}
