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
 * not of reading its rows through SQLite. Only for tables read by plain rowid from a snapshot
 * without pages in a write-ahead log.
 */
public final class RecordChecksums {
    private static final Logger LOG = LoggerFactory.getLogger(RecordChecksums.class);

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
        if (!table.rowidExpression().equals("rowid")) {
            return OptionalLong.empty(); // read through a join (event_search)
        }
        long root;
        try (PreparedStatement ps = sqlite.prepareStatement(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                root = rs.getLong(1);
            }
        }
        Checkpoint from = digest.from();
        Checkpoint to = digest.to();
        try {
            return RecordHash.of(file, root, List.of(new RecordHash.Range(from.forwardRowid(), to.forwardRowid() - 1),
                    new RecordHash.Range(to.backwardRowid() + 1, from.backwardRowid())));
        } catch (IOException e) {
            LOG.info("{}: its stored records cannot be read directly ({}); its rows are read instead", table.name(),
                    e.getMessage());
            return OptionalLong.empty();
        }
    }
}
