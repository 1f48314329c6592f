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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the rows an earlier port copied of each append-only table are still the same in
 * this snapshot: Synapse does delete from some of them (redactions, purges, retention), and
 * resuming such a table from its checkpoint would keep rows the snapshot no longer has. The
 * rows the table's digest covers are proven the same by the hash of their stored records
 * ({@link RecordChecksums}) where the digest has one, or else read again, hashed as the port
 * writes them, and counted and summed as the digest was. The digest leaves out rows
 * PostgreSQL refused, which this count includes: such a table is copied again too (correct,
 * only slower).
 */
public final class DigestProof {
    private static final Logger LOG = LoggerFactory.getLogger(DigestProof.class);

    /**
     * The outcome for each table checked: whether its digest still holds, and, for those
     * proven by their stored records, that digest and its record hash (the same in this snapshot).
     */
    public record Proofs(Map<String, Boolean> holds, Map<String, RecordChecksums.Hashed> byRecords) {
        public static final Proofs NONE = new Proofs(Map.of(), Map.of());

        /** The record hash of the digest {@code table}'s proof found in this snapshot, or null. */
        public Long recordHash(String table) {
            RecordChecksums.Hashed hashed = byRecords.get(table);
            return hashed == null ? null : hashed.hash();
        }
    }

    /**
     * For each append-only table whose digest is of another snapshot state and ends at its
     * checkpoint, whether it still holds on this snapshot: by its stored records where the
     * digest has their hash and this snapshot gives the same one, otherwise by reading its rows.
     * Each other table whose digest, from its start, ends at its checkpoint and has a record
     * hash is listed too when its records prove it (such a table only gained rows since, and
     * resumes); otherwise it is left out, and copied again as ever, without a warning.
     *
     * @param fields how each digested table's lines are hashed
     * @param recordHashes the stored record hash of each digest that has one
     */
    public Proofs check(SnapshotWorkers workers, PortPlan plan, Map<String, Checkpoint> checkpoints,
            Map<String, CopyDigest> stored, Map<String, List<RowHasher.Canon>> fields, String fingerprint,
            Optional<RecordChecksums> records, Map<String, Long> recordHashes) throws SQLException {
        List<TablePlan> tables = new ArrayList<>();
        for (TablePlan table : plan.tables()) {
            CopyDigest digest = stored.get(table.name());
            boolean ofAnotherState = digest != null && !digest.snapshot().equals(fingerprint)
                    && digest.to().equals(checkpoints.get(table.name())) && fields.containsKey(table.name());
            if (ofAnotherState && (table.appendOnly() || (records.isPresent()
                    && recordHashes.containsKey(table.name()) && digest.from().equals(Checkpoint.START)))) {
                tables.add(table);
            }
        }
        // the costliest first, so that the last to finish is a cheap one
        tables.sort(Comparator.comparingLong((TablePlan t) -> cost(t, stored.get(t.name()).rows())).reversed());
        Map<String, Boolean> proofs = new ConcurrentHashMap<>();
        Map<String, RecordChecksums.Hashed> byRecords = new ConcurrentHashMap<>();
        workers.forEach(tables, (sqlite, table) -> {
            CopyDigest digest = stored.get(table.name());
            Long expected = recordHashes.get(table.name());
            if (expected != null && records.isPresent()) {
                Optional<RecordChecksums.Hashed> proof = records.get().proof(sqlite, table, digest, expected);
                if (proof.isPresent()) {
                    proofs.put(table.name(), true);
                    byRecords.put(table.name(), proof.get());
                    return;
                }
            }
            if (!table.appendOnly()) {
                return; // changed: copied again, as a table Synapse rewrites is
            }
            if (fields.get(table.name()).contains(RowHasher.Canon.SKIP)) {
                // the digest leaves out a value the port writes (event_search's text, which becomes
                // its vector): only the records can tell it unchanged
                proofs.put(table.name(), false);
                return;
            }
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
        // event_search's joined columns standing on events' proof need that proof, of a digest from events' start
        RecordChecksums.Hashed search = byRecords.get(Planner.EVENT_SEARCH);
        RecordChecksums.Hashed events = byRecords.get(SearchJoin.EVENTS);
        boolean eventsProven = events != null && events.digest().from().equals(Checkpoint.START);
        if (search != null && search.byEvents() && !eventsProven) {
            byRecords.remove(Planner.EVENT_SEARCH);
            // as for its other changes: an append-only table's proof fails, another is copied again
            if (plan.tables().stream().anyMatch(t -> t.name().equals(Planner.EVENT_SEARCH) && t.appendOnly())) {
                proofs.put(Planner.EVENT_SEARCH, false);
            } else {
                proofs.remove(Planner.EVENT_SEARCH);
            }
        }
        long appendOnly = tables.stream().filter(TablePlan::appendOnly).count();
        LOG.info("rows earlier runs copied, of {} append-only table(s) and {} other(s): {} proven unchanged by their"
                + " stored records, {} append-only one(s) read again", appendOnly, tables.size() - appendOnly,
                byRecords.size(), proofs.size() - byRecords.size());
        return new Proofs(Map.copyOf(proofs), Map.copyOf(byRecords));
    }

    /**
     * About how long hashing or proving {@code rows} of a table takes, in rows of a plain table:
     * event_search's joins each of its rows with events by an index lookup, some ten times a
     * plain row's cost.
     */
    static long cost(TablePlan table, long rows) {
        return table.name().equals(Planner.EVENT_SEARCH) ? 10 * rows : rows;
    }
}
