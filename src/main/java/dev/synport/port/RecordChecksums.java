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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hash of the snapshot's stored records of the rows a table's digest covers
 * ({@link RecordHash}), read from the database file directly: a newer snapshot that gives the
 * same hash holds the same rows there, which proves a table's earlier rows unchanged (an
 * append-only table's, or any other's that only gained rows) at the cost of reading its pages,
 * not of reading its rows through SQLite. Only for tables read by plain rowid, and
 * {@code event_search} (its records and {@link SearchJoin its joined columns}), from a
 * snapshot without pages in a write-ahead log.
 */
public final class RecordChecksums {
    /**
     * The hash of this snapshot's records of the rows {@code digest} covers; {@code byEvents}
     * if it is {@code event_search}'s and stands on {@code events}' proof for its joined columns.
     */
    public record Hashed(CopyDigest digest, long hash, boolean byEvents) {}

    private static final Logger LOG = LoggerFactory.getLogger(RecordChecksums.class);

    private final Snapshot snapshot;
    private final Path file;
    private final SearchJoin join = new SearchJoin();

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
        // every event of this snapshot state is in events' digest: search rows that joined one can stand on it
        CopyDigest events = digests.get(SearchJoin.EVENTS);
        boolean eventsCovered = events != null && events.from().equals(Checkpoint.START)
                && events.holdsAt(fingerprint, checkpoints.get(SearchJoin.EVENTS))
                && plan.tables().stream().anyMatch(t -> t.name().equals(SearchJoin.EVENTS)
                        && t.rowidExpression().equals("rowid"));
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
                    ? new Job(table, digest, gained.get(), Optional.of(before), digest.rows() - before.digest().rows())
                    : new Job(table, digest, ranges(digest), Optional.empty(), digest.rows()));
        }
        // the costliest first, so that the last to finish is a cheap one
        jobs.sort(Comparator.comparingLong((Job j) -> DigestProof.cost(j.table(), j.rows())).reversed());
        Map<String, Long> hashes = new ConcurrentHashMap<>();
        Set<String> inFull = ConcurrentHashMap.newKeySet();
        workers.forEach(jobs, (sqlite, job) -> hash(sqlite, job, eventsCovered, inFull)
                .ifPresent(hash -> hashes.put(job.table().name(), hash)));
        // a hash read while the file changed would vouch for rows the copy did not read
        snapshot.checkUnchanged();
        Transaction.run(control, guard, () -> {
            for (Map.Entry<String, Long> hash : hashes.entrySet()) {
                store.setRecordHash(control, hash.getKey(), hash.getValue());
            }
            return null;
        });
        LOG.info("stored the record hashes of {} table(s), {} of them hashed for their new rows only", hashes.size(),
                jobs.stream().filter(j -> j.grownFrom().isPresent() && hashes.containsKey(j.table().name())
                        && !inFull.contains(j.table().name())).count());
    }

    /**
     * What {@link #record} hashes of a table for {@code digest}: its rows within {@code ranges}
     * (about {@code rows} of them), whose hash is added to that of the digest the table grew
     * from, if it did.
     */
    private record Job(TablePlan table, CopyDigest digest, List<RecordHash.Range> ranges, Optional<Hashed> grownFrom,
            long rows) {}

    /**
     * {@code job}'s record hash; {@code event_search}'s stands on events' proof where every row
     * joined an event ({@code eventsCovered}: all of them are in events' digest), and where the
     * rows it grew from did so too; otherwise it holds the hash of its joined columns. A table
     * that grew but is hashed in full all the same is added to {@code inFull}.
     */
    private OptionalLong hash(Connection sqlite, Job job, boolean eventsCovered, Set<String> inFull)
            throws SQLException {
        long base = job.grownFrom().map(Hashed::hash).orElse(0L);
        if (!job.table().name().equals(Planner.EVENT_SEARCH)) {
            OptionalLong hash = plainRecords(sqlite, job.table(), job.ranges());
            return hash.isPresent() ? OptionalLong.of(base + hash.getAsLong()) : hash;
        }
        OptionalLong content = records(sqlite, SearchJoin.CONTENT, job.ranges());
        Optional<SearchJoin.Columns> columns = content.isPresent() ? join.read(sqlite, job.ranges()) : Optional.empty();
        if (columns.isEmpty()) {
            return OptionalLong.empty();
        }
        boolean byEvents = eventsCovered && columns.get().unjoined() == 0 && join.eventIdsUnique(sqlite);
        if (job.grownFrom().isEmpty()) {
            return OptionalLong.of(content.getAsLong() + (byEvents ? SearchJoin.BY_EVENTS : columns.get().hash()));
        }
        if (!job.grownFrom().get().byEvents()) {
            return OptionalLong.of(base + content.getAsLong() + columns.get().hash());
        }
        if (byEvents) {
            return OptionalLong.of(base + content.getAsLong());
        }
        // the new rows cannot stand on events' proof: the whole table's joined columns are hashed
        inFull.add(job.table().name());
        return hash(sqlite, new Job(job.table(), job.digest(), ranges(job.digest()), Optional.empty(), job.rows()),
                false, inFull);
    }

    /**
     * Whether this snapshot's records give {@code expected} for the rows {@code digest} covers:
     * the proof if they do. One of {@code event_search}'s that stands on events' proof
     * ({@link Hashed#byEvents}) holds only if {@code events}' is found too.
     */
    public Optional<Hashed> proof(Connection sqlite, TablePlan table, CopyDigest digest, long expected)
            throws SQLException {
        List<RecordHash.Range> ranges = ranges(digest);
        if (!table.name().equals(Planner.EVENT_SEARCH)) {
            OptionalLong hash = plainRecords(sqlite, table, ranges);
            return hash.isPresent() && hash.getAsLong() == expected
                    ? Optional.of(new Hashed(digest, expected, false)) : Optional.empty();
        }
        OptionalLong content = records(sqlite, SearchJoin.CONTENT, ranges);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        if (content.getAsLong() + SearchJoin.BY_EVENTS == expected && join.eventIdsUnique(sqlite)) {
            return Optional.of(new Hashed(digest, expected, true));
        }
        Optional<SearchJoin.Columns> columns = join.read(sqlite, ranges);
        return columns.isPresent() && content.getAsLong() + columns.get().hash() == expected
                ? Optional.of(new Hashed(digest, expected, false)) : Optional.empty();
    }

    private OptionalLong plainRecords(Connection sqlite, TablePlan table, List<RecordHash.Range> ranges)
            throws SQLException {
        return table.rowidExpression().equals("rowid") ? records(sqlite, table.name(), ranges) : OptionalLong.empty();
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
