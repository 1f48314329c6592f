package dev.synport.progress;

import java.time.Duration;

/**
 * One table's copy as the views show it.
 *
 * @param done rows of this table handled so far in this run (copied or rejected)
 * @param total rows this run has to handle, known before the copy starts
 * @param elapsed time spent on the table so far (zero while it waits)
 */
public record TableProgress(String name, State state, long done, long total, long repaired, long rejected,
        Duration elapsed) {
    /** Where a table is in its copy. */
    public enum State {
        WAITING,
        COPYING,
        BUILDING_INDEXES,
        DONE,
        FAILED
    }

    /** 0 to 1; a table with nothing to copy counts as complete. */
    public double fraction() {
        return total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
    }
}
