package dev.synport.port;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.postgres.TargetCatalog;
import dev.synport.sqlite.SnapshotSchema;
import dev.synport.synapse.FeedQueries;
import dev.synport.synapse.SequenceRule;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Refuses a target that holds stream positions beyond the snapshot's: Synapse has written to
 * it since the last port (it was cut over, or is running on it), or the snapshot is older than
 * the one ported before. Porting again would empty the refilled tables and lose that data.
 */
public final class NewerTargetCheck {

    public void refuseNewerTarget(Connection pg, SnapshotMaxima maxima, SnapshotSchema snapshot, TargetCatalog target,
            List<SequenceRule> rules) throws SQLException {
        for (SequenceRule rule : rules) {
            for (SequenceRule.Feed feed : rule.feeds()) {
                boolean inTarget = target.table(feed.table()).flatMap(t -> t.column(feed.column())).isPresent();
                if (!inTarget || !snapshot.hasColumn(feed.table(), feed.column())) {
                    continue;
                }
                long inPostgres = FeedQueries.largest(pg, feed, rule.negative());
                long inSnapshot = maxima.of(feed, rule.negative());
                if (inPostgres > inSnapshot) {
                    throw new PortException(FailureReason.PORT_FAILED, "the target is ahead of the snapshot: "
                            + feed.table() + "." + feed.column() + " reaches " + (rule.negative() ? "-" : "")
                            + inPostgres + " in PostgreSQL but only " + (rule.negative() ? "-" : "") + inSnapshot
                            + " in the snapshot, so Synapse has written to the target since the last port (or the"
                            + " snapshot is older than the one ported before); porting again would destroy that"
                            + " data, so nothing was changed");
                }
            }
        }
    }
}
