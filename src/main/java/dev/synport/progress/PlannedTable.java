package dev.synport.progress;

/**
 * A table as the copy plans it, before it starts.
 *
 * @param rowsBefore rows an earlier run already ported (resumed from its checkpoint)
 * @param rowsToCopy rows this run copies
 * @param resumeRowid the rowid the copy continues from, 1 when it starts from the beginning
 * @param indexesAfterCopy whether the table is large enough to have its plain indexes built after its copy
 */
public record PlannedTable(String name, long rowsBefore, long rowsToCopy, long resumeRowid,
        boolean indexesAfterCopy) {}
