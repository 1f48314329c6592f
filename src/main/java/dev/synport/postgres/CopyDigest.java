package dev.synport.postgres;

import java.util.List;

/**
 * What the port read of one table from one state of the snapshot, for the verification: the
 * rows between two checkpoints (those with rowids from {@code from.forwardRowid()} up to
 * before {@code to.forwardRowid()}, and from {@code from.backwardRowid()} down to after
 * {@code to.backwardRowid()}), their number, and the sum (mod 2^64) of their rows' hashes as
 * the port wrote them.
 *
 * @param snapshot the fingerprint of the snapshot state the rows were read from
 */
public record CopyDigest(String snapshot, Checkpoint from, Checkpoint to, long rows, long hashSum) {
    /** Nothing read yet from {@code snapshot}, from {@code from} on. */
    public static CopyDigest start(String snapshot, Checkpoint from) {
        return new CopyDigest(snapshot, from, from, 0, 0);
    }

    /** The rows the digest covers, as SQL conditions on {@code rowid} (an expression naming the rowid). */
    public List<String> covered(String rowid) {
        return List.of(rowid + " >= " + from.forwardRowid() + " AND " + rowid + " < " + to.forwardRowid(),
                rowid + " <= " + from.backwardRowid() + " AND " + rowid + " > " + to.backwardRowid());
    }

    /**
     * The rows it does not cover, likewise: those before its start (read from an earlier state
     * of the snapshot, or by another tool), and any past its end (none once the table's copy
     * is complete).
     */
    public List<String> uncovered(String rowid) {
        return List.of(rowid + " > " + from.backwardRowid() + " AND " + rowid + " < " + from.forwardRowid(),
                rowid + " >= " + to.forwardRowid(), rowid + " <= " + to.backwardRowid());
    }

    /**
     * Whether the digest tells the rows behind {@code checkpoint} as read from the snapshot
     * state {@code fingerprint}: it is that state's and ends exactly there (a run without it,
     * or another tool, moved the checkpoint otherwise).
     */
    public boolean holdsAt(String fingerprint, Checkpoint checkpoint) {
        return snapshot.equals(fingerprint) && to.equals(checkpoint);
    }

    /** This digest with {@code rows} more rows, whose hashes sum to {@code hashSum}, read up to {@code to}. */
    public CopyDigest plus(long moreRows, long moreHashSum, Checkpoint newTo) {
        return new CopyDigest(snapshot, from, newTo, rows + moreRows, hashSum + moreHashSum);
    }
}
