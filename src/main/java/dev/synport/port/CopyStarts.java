package dev.synport.port;

import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CopyDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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
 * Every other table is emptied and copied again, and so is every table that references one
 * that is (a foreign key would refuse the emptying).
 */
public final class CopyStarts {
    /**
     * @param positions where each planned table's copy starts
     * @param refilled the tables emptied and copied again (their position is the start)
     * @param digests each digested table's digest as its copy starts
     */
    public record Decision(Map<String, Checkpoint> positions, Set<String> refilled, Map<String, CopyDigest> digests) {}

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
     */
    public Decision decide(Map<String, Checkpoint> checkpoints, Set<String> mixed, Map<String, CopyDigest> stored,
            Map<String, Boolean> proofs, boolean digesting) {
        Set<String> refill = new HashSet<>();
        for (TablePlan table : plan.tables()) {
            if (!resumable(table, checkpoints.getOrDefault(table.name(), Checkpoint.START), mixed,
                    stored.get(table.name()), proofs)) {
                refill.add(table.name());
            }
        }
        refill = withChildren(refill);
        Map<String, Checkpoint> positions = new HashMap<>();
        Map<String, CopyDigest> digests = new HashMap<>();
        for (TablePlan table : plan.tables()) {
            boolean resumed = !refill.contains(table.name());
            Checkpoint position = resumed ? checkpoints.getOrDefault(table.name(), Checkpoint.START) : Checkpoint.START;
            positions.put(table.name(), position);
            if (digesting) {
                CopyDigest digest = stored.get(table.name());
                if (resumed && digest != null && digest.to().equals(position)
                        && Boolean.TRUE.equals(proofs.get(table.name()))) {
                    // rows read from an earlier state, found unchanged in this one
                    digest = new CopyDigest(fingerprint, digest.from(), digest.to(), digest.rows(), digest.hashSum());
                }
                if (!resumed || digest == null || !digest.holdsAt(fingerprint, position)) {
                    digest = CopyDigest.start(fingerprint, position);
                }
                digests.put(table.name(), digest);
            }
        }
        return new Decision(positions, refill, digests);
    }

    private boolean resumable(TablePlan table, Checkpoint checkpoint, Set<String> mixed, CopyDigest digest,
            Map<String, Boolean> proofs) {
        if (table.appendOnly()) {
            return !mixed.contains(table.name()) && proofs.getOrDefault(table.name(), true);
        }
        return digest != null && digest.from().equals(Checkpoint.START) && (digest.holdsAt(fingerprint, checkpoint)
                || (digest.to().equals(checkpoint) && Boolean.TRUE.equals(proofs.get(table.name()))));
    }

    /** {@code tables} and the planned tables that reference them, directly or not: emptying a table empties those. */
    public Set<String> withChildren(Set<String> tables) {
        Set<String> all = new HashSet<>(tables);
        boolean grew = !all.isEmpty();
        while (grew) {
            grew = false;
            for (Map.Entry<String, Set<String>> table : plan.dependencies().entrySet()) {
                if (!all.contains(table.getKey()) && table.getValue().stream().anyMatch(all::contains)) {
                    grew = all.add(table.getKey());
                }
            }
        }
        return all;
    }
}
