package dev.synport.postgres;

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

    /** This digest with {@code rows} more rows, whose hashes sum to {@code hashSum}, read up to {@code to}. */
    public CopyDigest plus(long moreRows, long moreHashSum, Checkpoint newTo) {
        return new CopyDigest(snapshot, from, newTo, rows + moreRows, hashSum + moreHashSum);
    }
}
