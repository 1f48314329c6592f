package dev.synport.port;

import dev.synport.digest.RowHasher;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CopyDigest;
import dev.synport.postgres.DigestStore;
import dev.synport.postgres.TargetTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The digests the copiers keep for the verification: which tables have one, how their lines
 * are hashed, and where each digest stands when its copy starts.
 */
public final class CopyDigests {
    private final DigestStore store;
    private final Map<String, List<RowHasher.Canon>> fields;
    private final Map<String, CopyDigest> starts;

    /**
     * @param fields per digested table, how each field of its lines is hashed
     * @param starts per digested table, its digest as the copy starts (committed with its checkpoint)
     */
    public CopyDigests(DigestStore store, Map<String, List<RowHasher.Canon>> fields, Map<String, CopyDigest> starts) {
        this.store = store;
        this.fields = Map.copyOf(fields);
        this.starts = Map.copyOf(starts);
    }

    /** How each field of the lines the port writes into {@code table} is hashed. */
    public static List<RowHasher.Canon> fieldsOf(TablePlan table, TargetTable target) {
        return RowHasher.written(table.columns().stream().map(ColumnPlan::targetName).toList(), target);
    }

    /**
     * The rows behind {@code checkpoint}, if {@code table}'s digest counted them all: read
     * from this snapshot state, from the start up to exactly there (rejected rows left out).
     */
    Optional<Long> rowsBehind(String table, Checkpoint checkpoint) {
        CopyDigest start = starts.get(table);
        return start != null && start.from().equals(Checkpoint.START) && start.to().equals(checkpoint)
                ? Optional.of(start.rows()) : Optional.empty();
    }

    /** The running digest of {@code table}'s copy, if it keeps one. */
    Optional<Running> of(String table) {
        return Optional.ofNullable(fields.get(table))
                .map(f -> new Running(table, new RowHasher(f), starts.get(table)));
    }

    /** One table's digest while it is copied (by one thread). */
    final class Running {
        private final String table;
        private final RowHasher hasher;
        private CopyDigest digest;

        private Running(String table, RowHasher hasher, CopyDigest start) {
            this.table = table;
            this.hasher = hasher;
            this.digest = start;
        }

        /** The hash of the row written as {@code line[start..end)}, without its newline. */
        long hash(byte[] line, int start, int end) {
            return hasher.hash(line, start, end);
        }

        /** Stores the digest as it is, in the transaction that empties the table. */
        void store(Connection pg) throws SQLException {
            store.set(pg, table, digest);
        }

        /** Drops the digest, in the copy's transaction: rows were removed after their batch. */
        void discard(Connection pg) throws SQLException {
            store.delete(pg, table);
        }

        /** Adds a batch's rows to the digest, in the batch's transaction (before its commit). */
        void add(Connection pg, long rows, long hashSum, Checkpoint to) throws SQLException {
            CopyDigest next = digest.plus(rows, hashSum, to);
            store.set(pg, table, next);
            digest = next;
        }
    }
}
