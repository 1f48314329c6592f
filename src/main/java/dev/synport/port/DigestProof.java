package dev.synport.port;

import dev.synport.digest.RowHasher;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CopyDigest;
import dev.synport.sqlite.SnapshotWorkers;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the rows an earlier port copied of each append-only table are still the same in
 * this snapshot: Synapse does delete from some of them (redactions, purges, retention), and
 * resuming such a table from its checkpoint would keep rows the snapshot no longer has. The
 * rows the table's digest covers are read again, hashed as the port writes them, and counted
 * and summed as the digest was. The digest leaves out rows PostgreSQL refused, which this
 * count includes: such a table is copied again too (correct, only slower).
 */
public final class DigestProof {
    /**
     * For each append-only table whose digest is of another snapshot state and ends at its
     * checkpoint, whether it still holds on this snapshot.
     *
     * @param fields how each digested table's lines are hashed
     */
    public Map<String, Boolean> check(SnapshotWorkers workers, PortPlan plan, Map<String, Checkpoint> checkpoints,
            Map<String, CopyDigest> stored, Map<String, List<RowHasher.Canon>> fields, String fingerprint)
            throws SQLException {
        List<TablePlan> tables = new ArrayList<>();
        for (TablePlan table : plan.tables()) {
            CopyDigest digest = stored.get(table.name());
            if (table.appendOnly() && digest != null && !digest.snapshot().equals(fingerprint)
                    && digest.to().equals(checkpoints.get(table.name())) && fields.containsKey(table.name())) {
                tables.add(table);
            }
        }
        // the largest first, so that the last to finish is a small one
        tables.sort(Comparator.comparingLong((TablePlan t) -> stored.get(t.name()).rows()).reversed());
        Map<String, Boolean> proofs = new ConcurrentHashMap<>();
        workers.forEach(tables, (sqlite, table) -> {
            CopyDigest digest = stored.get(table.name());
            RowHasher hasher = new RowHasher(fields.get(table.name()));
            long[] countAndSum = new long[2];
            EncodedRows rows = new EncodedRows(table);
            for (String range : digest.covered(table.rowidExpression())) {
                rows.forEach(sqlite, Set.of(), range, (rowid, line, length) -> {
                    countAndSum[0]++;
                    countAndSum[1] += hasher.hash(line, 0, length);
                });
            }
            proofs.put(table.name(), countAndSum[0] == digest.rows() && countAndSum[1] == digest.hashSum());
        });
        return Map.copyOf(proofs);
    }
}
