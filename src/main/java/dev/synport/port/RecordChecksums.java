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
     * snapshot, can prove those rows unchanged by their records.
     */
    public void record(SnapshotWorkers workers, Connection control, LockGuard guard, PortPlan plan,
            String fingerprint) throws SQLException {
        DigestStore store = new DigestStore();
        Map<String, CopyDigest> digests = store.readAll(control);
        Map<String, Long> known = store.readRecordHashes(control);
        Map<String, Checkpoint> checkpoints = new CheckpointStore().readAll(control);
        List<TablePlan> tables = plan.tables().stream()
                .filter(t -> !known.containsKey(t.name()) && digests.containsKey(t.name())
                        && digests.get(t.name()).holdsAt(fingerprint, checkpoints.get(t.name())))
                // the costliest first, so that the last to finish is a cheap one
                .sorted(Comparator.comparingLong((TablePlan t) -> DigestProof.cost(t, digests.get(t.name())))
                        .reversed())
                .toList();
        Map<String, Long> hashes = new ConcurrentHashMap<>();
        workers.forEach(tables, (sqlite, table) -> of(sqlite, table, digests.get(table.name()))
                .ifPresent(hash -> hashes.put(table.name(), hash)));
        // a hash read while the file changed would vouch for rows the copy did not read
        snapshot.checkUnchanged();
        Transaction.run(control, guard, () -> {
            for (Map.Entry<String, Long> hash : hashes.entrySet()) {
                store.setRecordHash(control, hash.getKey(), hash.getValue());
            }
            return null;
        });
        LOG.info("stored the record hashes of {} table(s)", hashes.size());
    }

    /** The hash of the rows {@code digest} covers in this snapshot, or empty if the table cannot be hashed so. */
    public OptionalLong of(Connection sqlite, TablePlan table, CopyDigest digest) throws SQLException {
        List<RecordHash.Range> ranges = ranges(digest);
        if (table.name().equals(Planner.EVENT_SEARCH)) {
            return eventSearch(sqlite, digest, ranges);
        }
        return table.rowidExpression().equals("rowid") ? records(sqlite, table.name(), ranges) : OptionalLong.empty();
    }

    /**
     * {@code event_search}'s rows are its full-text table's (whose records are those of its
     * {@code event_search_content} table, by docid) joined with two columns of {@code events}:
     * the hash of both, the joined columns read by docid.
     */
    private OptionalLong eventSearch(Connection sqlite, CopyDigest digest, List<RecordHash.Range> ranges)
            throws SQLException {
        OptionalLong content = records(sqlite, EVENT_SEARCH_CONTENT, ranges);
        if (content.isEmpty()) {
            return content;
        }
        long joined = content.getAsLong();
        try (PreparedStatement ps = sqlite.prepareStatement("SELECT s.docid, e.origin_server_ts, e.stream_ordering"
                + " FROM " + EVENT_SEARCH_CONTENT + " AS s LEFT JOIN events AS e ON e.event_id = s.c0event_id"
                + " AND e.room_id = s.c1room_id WHERE s.docid BETWEEN ? AND ? ORDER BY s.docid")) {
            for (RecordHash.Range range : ranges) {
                ps.setLong(1, range.first());
                ps.setLong(2, range.last());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        joined = step(step(step(joined, rs.getLong(1)), value(rs, 2)), value(rs, 3));
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

    private static List<RecordHash.Range> ranges(CopyDigest digest) {
        Checkpoint from = digest.from();
        Checkpoint to = digest.to();
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
