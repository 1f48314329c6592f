package dev.synport.summary;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.PrivateFiles;
import dev.synport.progress.PlannedTable;
import dev.synport.progress.ProgressSnapshot;
import dev.synport.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code --summary-json}: the run's summary for machines, written at the end of every run that
 * got past the command line, failed and interrupted ones included. The shape is documented in
 * docs/SUMMARY-JSON.md and docs/summary.schema.json.
 */
public final class SummaryJson {
    /** Bumped when a field changes meaning or disappears (new fields do not bump it). */
    static final int FORMAT = 1;

    private final Path path;

    public SummaryJson(Path path) {
        this.path = path;
    }

    /** Refuses a path that cannot be written, before the port touches anything. */
    public void checkWritable() {
        Path absolute = path.toAbsolutePath();
        Path dir = absolute.getParent();
        boolean writable = Files.exists(absolute) ? Files.isRegularFile(absolute) && Files.isWritable(absolute)
                : dir != null && Files.isDirectory(dir) && Files.isWritable(dir);
        if (!writable) {
            throw new PortException(FailureReason.CONFIG_MALFORMED, "--summary-json " + path + ": cannot write"
                    + " there (" + (dir != null && !Files.isDirectory(dir) ? "no directory " + dir
                    : "permission denied") + ")");
        }
    }

    /**
     * Writes the summary (complete or not at all: through a temporary file, mode 0600 like the
     * log, as it holds the error line; one left by a killed run is replaced).
     */
    public void write(RunOutcome outcome, ProgressSnapshot snapshot, List<PlannedTable> plan,
            Map<String, Long> sequences) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        PrivateFiles.writeNew(partial, json(outcome, snapshot, plan, sequences));
        Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String json(RunOutcome outcome, ProgressSnapshot snapshot, List<PlannedTable> plan,
            Map<String, Long> sequences) {
        List<TableResult> tables = TableResult.of(snapshot.tables(), plan);
        StringBuilder b = new StringBuilder(4096).append("{\n");
        b.append("  \"format\": ").append(FORMAT).append(",\n");
        b.append("  \"status\": ").append(Json.string(outcome.status().name().toLowerCase(Locale.ROOT))).append(",\n");
        b.append("  \"exit_code\": ").append(outcome.exitCode()).append(",\n");
        b.append("  \"error\": ").append(string(outcome.error())).append(",\n");
        b.append("  \"elapsed_seconds\": ").append(seconds(snapshot.elapsed().toMillis() / 1000.0)).append(",\n");
        b.append("  \"report\": ").append(string(outcome.report().map(p -> p.toAbsolutePath().toString())))
                .append(",\n");
        b.append("  \"continue_command\": ").append(Json.string(outcome.continueCommand())).append(",\n");
        b.append("  \"totals\": {")
                .append("\"tables\": ").append(tables.size())
                .append(", \"tables_complete\": ").append(tables.stream().filter(TableResult::complete).count())
                .append(", \"rows_read\": ").append(tables.stream().mapToLong(TableResult::rowsRead).sum())
                .append(", \"rows_written\": ").append(tables.stream().mapToLong(TableResult::rowsWritten).sum())
                .append(", \"values_repaired\": ").append(tables.stream().mapToLong(TableResult::repaired).sum())
                .append(", \"rows_rejected\": ").append(tables.stream().mapToLong(TableResult::rejected).sum())
                .append(", \"sequences_set\": ").append(sequences.size())
                .append("},\n");
        b.append("  \"tables\": [");
        b.append(tables.stream().map(t -> "\n    {\"name\": " + Json.string(t.name())
                + ", \"state\": " + Json.string(t.state())
                + ", \"rows_before\": " + t.rowsBefore()
                + ", \"rows_planned\": " + t.rowsPlanned()
                + ", \"rows_read\": " + t.rowsRead()
                + ", \"rows_written\": " + t.rowsWritten()
                + ", \"values_repaired\": " + t.repaired()
                + ", \"rows_rejected\": " + t.rejected()
                + ", \"seconds\": " + seconds(t.seconds()) + "}").collect(Collectors.joining(",")));
        b.append(tables.isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"sequences\": {");
        b.append(sequences.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "\n    " + Json.string(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining(",")));
        b.append(sequences.isEmpty() ? "}\n" : "\n  }\n");
        return b.append("}\n").toString();
    }

    private static String string(Optional<String> value) {
        return value.map(Json::string).orElse("null");
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }
}
