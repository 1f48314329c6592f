package dev.synport.port;

import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.CopyDigest;
import dev.synport.postgres.DigestStore;
import dev.synport.postgres.LockGuard;
import dev.synport.postgres.Transaction;
import dev.synport.sqlite.RecordHash;
import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotWorkers;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hash of the snapshot's stored records of the rows a table's digest covers
 * ({@link RecordHash}), read from the database file directly: a newer snapshot that gives the
 * same hash holds the same rows there, which proves a table's earlier rows unchanged (an
 * append-only table's, or any other's that only gained rows) at the cost of reading its pages,
 * not of reading its rows through SQLite. Only for tables read by plain rowid, and
 * {@code event_search}, from a snapshot without pages in a write-ahead log.
 */
public final class RecordChecksums {
    /** The hash of this snapshot's records of the rows {@code digest} covers. */
    public record Hashed(CopyDigest digest, long hash) {}

    private static final Logger LOG = LoggerFactory.getLogger(RecordChecksums.class);
    /** The table an FTS4 table keeps its rows in, by docid (its rowid). */
    private static final String EVENT_SEARCH_CONTENT = Planner.EVENT_SEARCH + "_content";
    /** Stands for a NULL joined column (no event): a value no timestamp or stream ordering takes. */
    private static final long NULL = 0x8000_0000_0000_0001L;

    private final Snapshot snapshot;
    private final Path file;

    private RecordChecksums(Snapshot snapshot, Path file) {
        this.snapshot = snapshot;
        this.file = file;
    }

    /** Empty when the snapshot's pages cannot be read from its file directly. */
    public static Optional<RecordChecksums> of(Snapshot snapshot) {
        return snapshot.recordFile().map(file -> new RecordChecksums(snapshot, file));
    }

    /**
     * After the copy: stores the record hash of each table whose digest is this snapshot
     * state's, ends at its checkpoint and has none yet, so that the next run, on a newer
     * snapshot, can prove those rows unchanged by their records. A table whose digest grew
     * from one of {@code earlier} (the same start, its end further on) is hashed for the rows
     * it gained only, their hash added to the earlier one's.
     *
     * @param earlier per table, a digest this run started from and its hash in this snapshot
     */
    public void record(SnapshotWorkers workers, Connection control, LockGuard guard, PortPlan plan,
            String fingerprint, Map<String, Hashed> earlier) throws SQLException {
        DigestStore store = new DigestStore();
        Map<String, CopyDigest> digests = store.readAll(control);
        Map<String, Long> known = store.readRecordHashes(control);
        Map<String, Checkpoint> checkpoints = new CheckpointStore().readAll(control);
        List<Job> jobs = new ArrayList<>();
        for (TablePlan table : plan.tables()) {
            CopyDigest digest = digests.get(table.name());
            if (known.containsKey(table.name()) || digest == null
                    || !digest.holdsAt(fingerprint, checkpoints.get(table.name()))) {
                continue;
            }
            Hashed before = earlier.get(table.name());
            Optional<List<RecordHash.Range>> gained = before == null ? Optional.empty()
                    : gained(before.digest(), digest);
            jobs.add(gained.isPresent()
                    ? new Job(table, gained.get(), Optional.of(before), digest.rows() - before.digest().rows())
                    : new Job(table, ranges(digest), Optional.empty(), digest.rows()));
        }
        // the costliest first, so that the last to finish is a cheap one
        jobs.sort(Comparator.comparingLong((Job j) -> DigestProof.cost(j.table(), j.rows())).reversed());
        Map<String, Long> hashes = new ConcurrentHashMap<>();
        workers.forEach(jobs, (sqlite, job) -> of(sqlite, job.table(), job.ranges()).ifPresent(hash -> hashes.put(
                job.table().name(), job.grownFrom().map(Hashed::hash).orElse(0L) + hash)));
        // a hash read while the file changed would vouch for rows the copy did not read
        snapshot.checkUnchanged();
        Transaction.run(control, guard, () -> {
            for (Map.Entry<String, Long> hash : hashes.entrySet()) {
                store.setRecordHash(control, hash.getKey(), hash.getValue());
            }
            return null;
        });
        LOG.info("stored the record hashes of {} table(s), {} of them hashed for their new rows only", hashes.size(),
                jobs.stream().filter(j -> j.grownFrom().isPresent() && hashes.containsKey(j.table().name())).count());
    }

    /**
     * What {@link #record} hashes of a table: its rows within {@code ranges} (about {@code rows}
     * of them), whose hash is added to that of the digest the table grew from, if it did.
     */
    private record Job(TablePlan table, List<RecordHash.Range> ranges, Optional<Hashed> grownFrom, long rows) {}

    /** The hash of the rows {@code digest} covers in this snapshot, or empty if the table cannot be hashed so. */
    public OptionalLong of(Connection sqlite, TablePlan table, CopyDigest digest) throws SQLException {
        return of(sqlite, table, ranges(digest));
    }

    private OptionalLong of(Connection sqlite, TablePlan table, List<RecordHash.Range> ranges) throws SQLException {
        if (table.name().equals(Planner.EVENT_SEARCH)) {
            return eventSearch(sqlite, ranges);
        }
        return table.rowidExpression().equals("rowid") ? records(sqlite, table.name(), ranges) : OptionalLong.empty();
    }

    /**
     * {@code event_search}'s rows are its full-text table's (whose records are those of its
     * {@code event_search_content} table, by docid) joined with two columns of {@code events}:
     * the sum of the records' hash and of a hash of each row's docid and joined columns.
     */
    private OptionalLong eventSearch(Connection sqlite, List<RecordHash.Range> ranges) throws SQLException {
        OptionalLong content = records(sqlite, EVENT_SEARCH_CONTENT, ranges);
        if (content.isEmpty()) {
            return content;
        }
        long joined = content.getAsLong();
        try (PreparedStatement ps = sqlite.prepareStatement("SELECT s.docid, e.origin_server_ts, e.stream_ordering"
                + " FROM " + EVENT_SEARCH_CONTENT + " AS s LEFT JOIN events AS e ON e.event_id = s.c0event_id"
                + " AND e.room_id = s.c1room_id WHERE s.docid BETWEEN ? AND ?")) {
            for (RecordHash.Range range : ranges) {
                ps.setLong(1, range.first());
                ps.setLong(2, range.last());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        joined += step(step(step(0, rs.getLong(1)), value(rs, 2)), value(rs, 3));
                    }
                }
            }
        } catch (SQLException e) {
            LOG.info("event_search: its full-text rows cannot be joined as expected ({}); its rows are read instead",
                    e.getMessage());
            return OptionalLong.empty();
        }
        return OptionalLong.of(joined);
    }

    private static long value(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? NULL : value;
    }

    private static long step(long hash, long value) {
        long x = (Long.rotateLeft(hash, 23) ^ value) * 0x9e3779b97f4a7c15L;
        return x ^ (x >>> 31);
    }

    /**
     * The rows {@code now} covers beyond those {@code before} did, if it grew from it: the same
     * start, and its ends as far or further on.
     */
    static Optional<List<RecordHash.Range>> gained(CopyDigest before, CopyDigest now) {
        Checkpoint was = before.to();
        Checkpoint is = now.to();
        if (!before.from().equals(now.from()) || is.forwardRowid() < was.forwardRowid()
                || is.backwardRowid() > was.backwardRowid()) {
            return Optional.empty();
        }
        return Optional.of(between(was, is));
    }

    private static List<RecordHash.Range> ranges(CopyDigest digest) {
        return between(digest.from(), digest.to());
    }

    /** The rows a copy from {@code from} to {@code to} reads: forwards, then backwards. */
    private static List<RecordHash.Range> between(Checkpoint from, Checkpoint to) {
        return List.of(new RecordHash.Range(from.forwardRowid(), to.forwardRowid() - 1),
                new RecordHash.Range(to.backwardRowid() + 1, from.backwardRowid()));
    }

    private OptionalLong records(Connection sqlite, String name, List<RecordHash.Range> ranges) throws SQLException {
        long root;
        try (PreparedStatement ps = sqlite.prepareStatement(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                root = rs.getLong(1);
            }
        }
        try {
            return RecordHash.of(file, root, ranges);
        } catch (IOException e) {
            LOG.info("{}: its stored records cannot be read directly ({}); its rows are read instead", name,
                    e.getMessage());
            return OptionalLong.empty();
        }
    }
}
