package dev.synport.report;

import java.util.List;

/** Where committed findings go. Implementations are thread-safe. */
public interface FindingSink {
    /** Records findings whose rows are now committed (or definitely rejected). */
    void record(List<Finding> findings);
}
