package dev.synport.verify;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.postgres.TargetCatalog;
import dev.synport.synapse.FeedQueries;
import dev.synport.synapse.SequenceRule;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * After the port, checks every known sequence against the ported tables with the rule
 * Synapse applies at start-up: the largest value of each feeding column (negated minimum
 * for backfill), and the stream's largest {@code stream_positions} entry, must not be beyond
 * the sequence's last value.
 */
public final class SequenceVerifier {
    /** How a failed check begins, before the sequences' problems. */
    static final String FAILED = "sequence check failed, Synapse would refuse to start: ";

    public void verify(Connection pg, TargetCatalog target, List<SequenceRule> rules) throws SQLException {
        List<String> failures = problems(pg, target, rules);
        if (!failures.isEmpty()) {
            throw new PortException(FailureReason.PORT_FAILED, FAILED + String.join("; ", failures));
        }
    }

    /** Each sequence that is behind its tables, as one phrase; empty when all are fine. */
    public List<String> problems(Connection pg, TargetCatalog target, List<SequenceRule> rules) throws SQLException {
        List<String> failures = new ArrayList<>();
        for (SequenceRule rule : rules) {
            if (!target.sequences().contains(rule.name())) {
                continue;
            }
            long last = FeedQueries.lastUsed(pg, rule.name());
            List<SequenceRule.Feed> feeds = new ArrayList<>(rule.feeds());
            rule.identity().ifPresent(feeds::add);
            for (SequenceRule.Feed feed : feeds) {
                boolean present = target.table(feed.table()).flatMap(t -> t.column(feed.column())).isPresent();
                if (!present) {
                    continue;
                }
                long max = FeedQueries.largest(pg, feed, rule.negative());
                if (max > last) {
                    failures.add(rule.name() + " is at " + last + " but " + feed.table() + "." + feed.column()
                            + " holds " + (rule.negative() ? "-" : "") + max);
                }
            }
            if (rule.stream().isPresent() && target.table("stream_positions").isPresent()) {
                long max = FeedQueries.streamPosition(pg, rule.stream().get(), rule.negative());
                if (max > last) {
                    failures.add(rule.name() + " is at " + last + " but stream_positions holds " + max
                            + " for stream " + rule.stream().get());
                }
            }
        }
        return failures;
    }
}
