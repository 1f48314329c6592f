package dev.synport.progress;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The wording of progress and summary lines, in one place: counts, durations, rates, bars. */
public final class ProgressText {
    private ProgressText() {}

    /** "1 row", "2 rows", "1,234 values", "3 indexes". */
    public static String count(long n, String singular) {
        String unit = n == 1 ? singular : singular.endsWith("x") || singular.endsWith("s") ? singular + "es"
                : singular + "s";
        return String.format(Locale.ROOT, "%,d %s", n, unit);
    }

    /** "4.2s", "3m07s", "2h05m09s". */
    public static String duration(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d.%01ds", s, d.toMillisPart() / 100);
    }

    public static int percent(double fraction) {
        return (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
    }

    /** "[#######-------------]" of {@code width} cells inside the brackets. */
    public static String bar(double fraction, int width) {
        int full = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(full) + "-".repeat(width - full) + "]";
    }

    /** The overall figures: "42% 1,234/2,900 rows, 12,345 rows/s, 3.4 MB/s, elapsed 1m02s, ETA 1m30s". */
    public static String overall(ProgressSnapshot s) {
        return String.format(Locale.ROOT, "%d%% %,d/%,d rows, %,.0f rows/s, %.1f MB/s, elapsed %s, ETA %s",
                percent(s.fraction()), s.rowsDone(), s.rowsTotal(), s.rowsPerSecond(), s.bytesPerSecond() / 1e6,
                duration(s.elapsed()), s.eta().map(ProgressText::duration).orElse("-"));
    }

    /** A running table: "events: 12,000/50,000 (24%)", or that its indexes are being built. */
    public static String table(TableProgress t) {
        String state = t.state() == TableProgress.State.BUILDING_INDEXES ? ", building indexes" : "";
        return String.format(Locale.ROOT, "%s: %,d/%,d (%d%%)%s", t.name(), t.done(), t.total(),
                percent(t.fraction()), state);
    }

    /**
     * When an earlier run ported some of the tables: "Resuming an earlier port: 41 tables
     * complete, events from rowid 123,456, 2,345,678 rows already in PostgreSQL".
     */
    public static Optional<String> resumption(List<PlannedTable> planned) {
        long before = planned.stream().mapToLong(PlannedTable::rowsBefore).sum();
        if (before == 0) {
            return Optional.empty();
        }
        long complete = planned.stream().filter(t -> t.rowsBefore() > 0 && t.rowsToCopy() == 0).count();
        StringBuilder b = new StringBuilder("Resuming an earlier port: ").append(count(complete, "table"))
                .append(" complete");
        planned.stream().filter(t -> t.rowsBefore() > 0 && t.rowsToCopy() > 0).limit(3).forEach(t ->
                b.append(String.format(Locale.ROOT, ", %s from rowid %,d", t.name(), t.resumeRowid())));
        return Optional.of(b.append(", ").append(count(before, "row")).append(" already in PostgreSQL").toString());
    }

    /** The text with every control character (a table name from the snapshot may hold any) shown as '?'. */
    public static String printable(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
