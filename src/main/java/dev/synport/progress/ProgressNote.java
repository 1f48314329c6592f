package dev.synport.progress;

import java.time.Instant;

/** Something that happened once during a run, which a view may print as a line of its own. */
public record ProgressNote(Instant at, Kind kind, String text) {
    /** What the note is about. */
    public enum Kind {
        PHASE,
        /** A fact about the run worth a line, e.g. that it resumes an earlier one. */
        INFO,
        WARNING,
        TABLE_STARTED,
        TABLE_FINISHED
    }
}
