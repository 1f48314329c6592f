package dev.synport.port;

import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CopyDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where each table's copy starts on this run, from the evidence the target holds; nothing is
 * guessed. A table resumes from its checkpoint when the rows behind it are known to be this
 * snapshot's:
 * <ul>
 * <li>an append-only table (Synapse only adds to it), unless an unfinished run read it from
 *     another state of the snapshot ({@code mixed}), or its digest, recomputed on this
 *     snapshot, no longer holds (rows were deleted or changed: purges, redactions);</li>
 * <li>any other table whose digest, from the table's start, says that every row behind its
 *     checkpoint was read from this very state of the snapshot (a rerun of an unchanged
 *     snapshot, or of one whose run was stopped), or from another state whose rows there this
 *     snapshot holds unchanged ({@link DigestProof}, by their stored records: the table only
 *     gained rows since).</li>
 * </ul>
 * Every other table is copied again, and so is every table that references one that is (a
 * foreign key would refuse the emptying). Those an earlier run copied, that no other table
 * copied again references and that can be compared row by row ({@link RowRewrite}) keep their
 * rows, checkpoint and digest until their rewrite commits; the rest are emptied.
 */
public final class CopyStarts {
    /**
     * @param positions where each planned table's copy starts
     * @param refilled the tables emptied and copied again (their position is the start)
     * @param rewritten the tables rewritten row by row instead (their position is their checkpoint,
     *     kept until the rewrite commits)
     * @param digests each digested table's digest as its copy starts (for a rewritten table,
     *     the digest its rewrite starts from; the stored one stays until then)
     */
    public record Decision(Map<String, Checkpoint> positions, Set<String> refilled, Set<String> rewritten,
            Map<String, CopyDigest> digests) {}

    private final PortPlan plan;
    private final String fingerprint;

    /** @param fingerprint names this state of the snapshot */
    public CopyStarts(PortPlan plan, String fingerprint) {
        this.plan = plan;
        this.fingerprint = fingerprint;
    }

    /**
     * @param checkpoints the tracking table's checkpoints
     * @param mixed append-only tables an unfinished run read from another state of the snapshot
     * @param stored the digests the target holds (none without the verification)
     * @param proofs for tables whose digest is of another state, whether it still holds on this
     *     snapshot ({@link DigestProof}: every append-only table, and the others it proved)
     * @param digesting whether this run keeps digests
     * @param rewritable whether a table can be rewritten row by row
     */
    public Decision decide(Map<String, Checkpoint> checkpoints, Set<String> mixed, Map<String, CopyDigest> stored,
            Map<String, Boolean> proofs, boolean digesting, Predicate<TablePlan> rewritable) {
        Set<String> changed = new HashSet<>();
        for (TablePlan table : plan.tables()) {
            if (!resumable(table, checkpoints.getOrDefault(table.name(), Checkpoint.START), mixed,
                    stored.get(table.name()), proofs)) {
                changed.add(table.name());
            }
        }
        Set<String> refill = plan.withChildren(changed);
        Set<String> rewrite = new HashSet<>();
        for (TablePlan table : plan.tables()) {
            if (!changed.contains(table.name())
                    || checkpoints.getOrDefault(table.name(), Checkpoint.START).equals(Checkpoint.START)
                    || !rewritable.test(table)) {
                continue;
            }
            Set<String> others = new HashSet<>(changed);
            others.remove(table.name());
            // a table copied again because one it references is cannot keep its rows
            if (!plan.withChildren(others).contains(table.name())) {
                rewrite.add(table.name());
            }
        }
        refill.removeAll(rewrite);
        Map<String, Checkpoint> positions = new HashMap<>();
        Map<String, CopyDigest> digests = new HashMap<>();
        for (TablePlan table : plan.tables()) {
            boolean resumed = !refill.contains(table.name()) && !rewrite.contains(table.name());
            Checkpoint position = resumed || rewrite.contains(table.name())
                    ? checkpoints.getOrDefault(table.name(), Checkpoint.START) : Checkpoint.START;
            positions.put(table.name(), position);
            if (digesting) {
                CopyDigest digest = stored.get(table.name());
                if (resumed && digest != null && digest.to().equals(position)
                        && Boolean.TRUE.equals(proofs.get(table.name()))) {
                    // rows read from an earlier state, found unchanged in this one
                    digest = new CopyDigest(fingerprint, digest.from(), digest.to(), digest.rows(), digest.hashSum());
                }
                if (rewrite.contains(table.name())) {
                    digest = CopyDigest.start(fingerprint, Checkpoint.START);
                } else if (!resumed || digest == null || !digest.holdsAt(fingerprint, position)) {
                    digest = CopyDigest.start(fingerprint, position);
                }
                digests.put(table.name(), digest);
            }
        }
        return new Decision(positions, refill, rewrite, digests);
    }

    private boolean resumable(TablePlan table, Checkpoint checkpoint, Set<String> mixed, CopyDigest digest,
            Map<String, Boolean> proofs) {
        if (table.appendOnly()) {
            return !mixed.contains(table.name()) && proofs.getOrDefault(table.name(), true);
        }
        return digest != null && digest.from().equals(Checkpoint.START) && (digest.holdsAt(fingerprint, checkpoint)
                || (digest.to().equals(checkpoint) && Boolean.TRUE.equals(proofs.get(table.name()))));
    }
}
