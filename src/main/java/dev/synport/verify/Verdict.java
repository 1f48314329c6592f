package dev.synport.verify;

import dev.synport.postgres.DigestStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a verification found: how many tables and rows are equal on both sides, each table that
 * differs, each sequence that is behind its tables, and what was deliberately not compared.
 *
 * @param tablesFromDigests of the equal tables, those whose snapshot side was (partly or wholly)
 *     the digest the port kept as it read the rows, not read again
 * @param tablesSinceVerified of those, the ones an earlier run's verification found equal and that
 *     PostgreSQL shows unchanged since, but for the rows the digest gained, which alone were read
 * @param verified what this verification saw of each table it found equal by its digest, for
 *     the next run
 */
public record Verdict(int tablesEqual, int tablesFromDigests, int tablesSinceVerified, long rowsEqual,
        List<Difference> differences, List<String> sequenceProblems, List<String> notCompared,
        Map<String, DigestStore.Verified> verified) {

    /** One table whose rows differ; a changed row counts as one missing and one extra. */
    public record Difference(String table, long sqliteRows, long postgresRows, long missing, long extra) {
        String describe() {
            return String.format(Locale.ROOT, "%s (sqlite %,d rows, postgres %,d rows: %,d missing, %,d extra)",
                    table, sqliteRows, postgresRows, missing, extra);
        }
    }

    public Verdict {
        differences = List.copyOf(differences);
        sequenceProblems = List.copyOf(sequenceProblems);
        notCompared = List.copyOf(notCompared);
        verified = Map.copyOf(verified);
    }

    public boolean ok() {
        return differences.isEmpty() && sequenceProblems.isEmpty();
    }

    /** The verdict for the terminal and the log: one line when all is equal, plus what was not compared. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        String sequences = sequenceProblems.isEmpty() ? "sequences OK"
                : "sequences behind their tables: " + String.join("; ", sequenceProblems);
        if (differences.isEmpty()) {
            lines.add(String.format(Locale.ROOT, "verified: %d tables, %,d rows equal; %s", tablesEqual, rowsEqual,
                    sequences));
        } else {
            lines.add(String.format(Locale.ROOT, "verification FAILED: %d of %d tables differ; %s", differences.size(),
                    differences.size() + tablesEqual, sequences));
            differences.forEach(d -> lines.add("  " + d.describe()));
        }
        if (tablesFromDigests > 0) {
            lines.add(String.format(Locale.ROOT, "  %d of the tables compared with the checksums of their rows taken as"
                    + " the port read them from this same snapshot", tablesFromDigests));
        }
        if (tablesSinceVerified > 0) {
            lines.add(String.format(Locale.ROOT, "  %d of them read in PostgreSQL only for the rows written since an"
                    + " earlier run verified them: as many rows from before, none changed since", tablesSinceVerified));
        }
        notCompared.forEach(n -> lines.add("  not compared: " + n));
        return lines;
    }

    /** The error line of a failed verification (a sequence alone fails as the port's sequence check does). */
    public String failure() {
        List<String> parts = new ArrayList<>();
        if (!differences.isEmpty()) {
            parts.add("verification failed: tables differ from the snapshot: "
                    + String.join("; ", differences.stream().map(Difference::describe).toList()));
        }
        if (!sequenceProblems.isEmpty()) {
            parts.add(SequenceVerifier.FAILED + String.join("; ", sequenceProblems));
        }
        return String.join("; ", parts);
    }
}
