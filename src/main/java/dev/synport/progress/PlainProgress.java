package dev.synport.progress;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain progress lines for a log or a pipe: phase changes, tables starting and finishing, and
 * at most every {@code interval} one line per running table plus an overall line with rows,
 * percentage, rows/s and ETA. No terminal control characters.
 */
public final class PlainProgress implements ProgressListener {
    /** Tables smaller than this start and finish without a line of their own. */
    private static final long LARGE_TABLE = 10_000;

    private final PrintWriter out;
    private final Clock clock;
    private final Duration interval;
    private final Map<String, long[]> tables = new ConcurrentHashMap<>();
    private final Map<String, Instant> startedAt = new ConcurrentHashMap<>();
    private Instant copyStarted;
    private long totalRows;
    private long doneRows;
    private Instant lastReport;

    public PlainProgress(PrintWriter out, Clock clock, Duration interval) {
        this.out = out;
        this.clock = clock;
        this.interval = interval;
        this.lastReport = clock.instant();
    }

    @Override
    public synchronized void phase(String description) {
        print(description + "...");
    }

    @Override
    public synchronized void tableStarted(String table, long done, long total) {
        if (copyStarted == null) {
            copyStarted = clock.instant();
        }
        tables.put(table, new long[] {done, total});
        startedAt.put(table, clock.instant());
        totalRows += total;
        doneRows += done;
        if (total >= LARGE_TABLE) {
            print(String.format(Locale.ROOT, "%s: copying %,d rows", table, total));
        }
    }

    @Override
    public synchronized void rowsCommitted(String table, long rows) {
        long[] state = tables.get(table);
        if (state != null) {
            state[0] += rows;
        }
        doneRows += rows;
        Instant now = clock.instant();
        if (Duration.between(lastReport, now).compareTo(interval) >= 0) {
            lastReport = now;
            tables.forEach((name, s) -> {
                if (s[0] < s[1]) {
                    print(String.format(Locale.ROOT, "  %s: %,d/%,d (%d%%)", name, s[0], s[1], percent(s[0], s[1])));
                }
            });
            print(overall(now));
        }
    }

    @Override
    public synchronized void tableFinished(String table) {
        long[] state = tables.remove(table);
        Instant start = startedAt.remove(table);
        if (state != null && state[1] >= LARGE_TABLE) {
            print(String.format(Locale.ROOT, "%s: done (%,d rows in %s)", table, state[0],
                    formatDuration(Duration.between(start, clock.instant()))));
        }
    }

    @Override
    public synchronized void warning(String message) {
        print("warning: " + message);
    }

    private String overall(Instant now) {
        double seconds = Math.max(0.001, Duration.between(copyStarted, now).toMillis() / 1000.0);
        double rate = doneRows / seconds;
        String eta = rate > 0 && totalRows > doneRows
                ? formatDuration(Duration.ofSeconds((long) ((totalRows - doneRows) / rate))) : "-";
        return String.format(Locale.ROOT, "overall: %,d/%,d rows (%d%%), %,.0f rows/s, ETA %s",
                doneRows, totalRows, percent(doneRows, totalRows), rate, eta);
    }

    private static int percent(long done, long total) {
        return total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
    }

    public static String formatDuration(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d.%01ds", s, d.toMillisPart() / 100);
    }

    private void print(String line) {
        out.println(line);
        out.flush();
    }
}
