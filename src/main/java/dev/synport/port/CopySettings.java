package dev.synport.port;

/**
 * Tuning of the copy.
 *
 * @param batchRows rows per transaction (the official script's {@code --batch-size})
 * @param batchBytes COPY bytes after which a batch commits early, bounding memory and rollback size
 * @param workers tables copied at the same time
 * @param deferIndexesFrom rows to copy into an empty table from which its plain indexes are
 *     built after the copy rather than maintained during it
 */
public record CopySettings(int batchRows, int batchBytes, int workers, long deferIndexesFrom) {
    public CopySettings {
        if (batchRows < 1 || batchBytes < 1 || workers < 1) {
            throw new IllegalArgumentException("batch size and workers must be positive");
        }
    }
}
