package dev.synport.summary;

import static dev.synport.progress.ProgressText.count;
import static dev.synport.progress.ProgressText.duration;

import dev.synport.progress.PlannedTable;
import dev.synport.progress.ProgressSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The summary a view shows at the end of a run: what was done (per table, for the tables that
 * matter: the largest, and every one with repaired or rejected values), what was kept after a
 * stop, and what to do next.
 */
public final class SummaryText {
    /** How many of the largest tables the table of results lists (besides those with findings). */
    static final int LARGEST = 10;
    private static final int NAME_WIDTH = 32;

    private SummaryText() {}

    public static List<String> lines(RunOutcome outcome, ProgressSnapshot snapshot, List<PlannedTable> plan,
            int sequencesSet) {
        List<TableResult> tables = TableResult.of(snapshot.tables(), plan);
        long complete = tables.stream().filter(TableResult::complete).count();
        long written = tables.stream().mapToLong(TableResult::rowsWritten).sum();
        long repaired = tables.stream().mapToLong(TableResult::repaired).sum();
        long rejected = tables.stream().mapToLong(TableResult::rejected).sum();
        String elapsed = duration(snapshot.elapsed());
        List<String> lines = new ArrayList<>();
        switch (outcome.status()) {
            case OK -> lines.add(String.format(Locale.ROOT, "Port finished in %s: %s, %s copied this run, %s set.",
                    elapsed, count(tables.size(), "table"), count(written, "row"), count(sequencesSet, "sequence")));
            case INTERRUPTED -> lines.add(String.format(Locale.ROOT, "Stopped at your request after %s: %s of %s"
                    + " complete, %s committed this run; they stay in PostgreSQL with their checkpoints.", elapsed,
                    count(complete, "table"), tables.size(), count(written, "row")));
            case FAILED -> {
                if (tables.isEmpty()) {
                    return lines;
                }
                lines.add(String.format(Locale.ROOT, "The port failed after %s: %s of %s complete, %s committed"
                        + " this run; they stay in PostgreSQL with their checkpoints.", elapsed,
                        count(complete, "table"), tables.size(), count(written, "row")));
            }
        }
        results(tables, lines);
        if (!outcome.skipped().isEmpty()) {
            lines.add("Not copied (by design): " + String.join(", ", outcome.skipped().keySet().stream().sorted()
                    .toList()) + "; Synapse rebuilds the user directory by itself after it starts.");
        }
        if (outcome.report().isPresent()) {
            lines.add(String.format(Locale.ROOT, "%s repaired and %s rejected: see %s", count(repaired, "value"),
                    count(rejected, "row"), outcome.report().get().toAbsolutePath()));
        } else if (outcome.status() == RunOutcome.Status.OK) {
            lines.add("Nothing repaired or rejected.");
        }
        snapshot.logFile().ifPresent(log -> lines.add("The log of this run is in " + log.toAbsolutePath() + "."));
        if (outcome.status() == RunOutcome.Status.OK) {
            nextSteps(lines);
        } else {
            lines.add(outcome.status() == RunOutcome.Status.INTERRUPTED ? "To continue, run:"
                    : "Once the error is fixed, continue with:");
            lines.add("  " + outcome.continueCommand());
        }
        return lines;
    }

    /** The largest tables and those with findings: rows copied, values repaired, rows rejected, seconds. */
    private static void results(List<TableResult> tables, List<String> lines) {
        List<TableResult> shown = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            TableResult t = tables.get(i);
            if ((i < LARGEST && t.rowsRead() > 0) || t.hasFindings()) {
                shown.add(t);
            }
        }
        if (shown.isEmpty()) {
            return;
        }
        String format = "  %-" + NAME_WIDTH + "s %12s %9s %9s %9s";
        lines.add(String.format(Locale.ROOT, format, "table", "rows copied", "repaired", "rejected", "seconds"));
        for (TableResult t : shown) {
            String name = t.name().length() > NAME_WIDTH ? t.name().substring(0, NAME_WIDTH - 1) + "~" : t.name();
            lines.add(String.format(Locale.ROOT, format, name, String.format(Locale.ROOT, "%,d", t.rowsWritten()),
                    String.format(Locale.ROOT, "%,d", t.repaired()), String.format(Locale.ROOT, "%,d", t.rejected()),
                    String.format(Locale.ROOT, "%.1f", t.seconds())));
        }
        int others = tables.size() - shown.size();
        if (others > 0) {
            long rows = tables.stream().filter(t -> !shown.contains(t)).mapToLong(TableResult::rowsWritten).sum();
            lines.add(String.format(Locale.ROOT, "  and %s with %s, nothing repaired or rejected",
                    count(others, "more table"), count(rows, "row")));
        }
    }

    private static void nextSteps(List<String> lines) {
        lines.add("Next:");
        lines.add("  - If Synapse still runs on SQLite (this was a snapshot), repeat the port as often as you like"
                + " with newer snapshots: append-only tables continue where they stopped, the others have only"
                + " their changed rows written again.");
        lines.add("  - To cut over: stop Synapse, run the same command once more with --sqlite-database naming"
                + " homeserver.db itself, then make the config given with --postgres-config Synapse's"
                + " homeserver.yaml and start Synapse.");
        lines.add("  - On its first start on PostgreSQL, Synapse runs the background updates this port queued:"
                + " they rebuild the user directory, so user search fills within minutes of the start (longer on"
                + " a very large server); everything else works at once.");
    }
}
