package dev.synport.progress;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The run's progress as the engine reports it, turned into {@link ProgressSnapshot}s on
 * demand. Thread-safe: the copy threads feed it, a view's thread reads it.
 *
 * <p>The fraction and the ETA count work in row-equivalents: every row to copy is one; a table
 * whose plain indexes are built after its copy adds {@value #INDEX_BUILD_WEIGHT} per row (all
 * of its indexes together: on synthetic Synapse databases, building them takes about half the
 * time the copy of their rows takes, the full-text index of event_search most); the checks after
 * the copy (leftover index builds, the sequence check) add {@value #FINAL_CHECKS_SHARE} of the
 * rows, at least {@value #FINAL_CHECKS_MINIMUM}, and the verification, when it runs,
 * {@value #VERIFY_WEIGHT} per row the tables hold once copied, earlier runs' rows included
 * (it reads every row of the target again, and of the snapshot only what the copy's digests
 * do not cover: on the 500k-event synthetic database it took about 10% of the time of the
 * port before it, whose work is some 1.4 row-equivalents a row). All of it is fixed when the
 * copy is planned, so the total never grows; index work counts as done when its table
 * finishes, the checks and the verification when the run ends. The ETA is the remaining work
 * at the average rate since the copy started (it tends to be optimistic near the end, when
 * fewer tables are left to copy side by side).
 */
public final class ProgressTracker implements ProgressListener {
    static final double INDEX_BUILD_WEIGHT = 0.5;
    static final double FINAL_CHECKS_SHARE = 0.02;
    static final long FINAL_CHECKS_MINIMUM = 1000;
    static final double VERIFY_WEIGHT = 0.15;
    /** Tables smaller than this start and finish without a note. */
    private static final long LARGE_TABLE = 10_000;

    private final Clock clock;
    private final Optional<Path> logFile;
    private final Instant started;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final List<ProgressNote> notes = new ArrayList<>();
    private final Map<String, Long> sequences = new TreeMap<>();
    private List<PlannedTable> plan = List.of();
    private String phase = "Starting";
    private Instant copyStarted;
    private Instant copyFinished;
    private long bytesDone;
    private double plannedWork;
    private boolean finished;
    private boolean verifying;

    public ProgressTracker(Clock clock, Optional<Path> logFile) {
        this.clock = clock;
        this.logFile = logFile;
        this.started = clock.instant();
    }

    /** One table's state; guarded by the tracker. */
    private static final class Table {
        private final String name;
        private final long total;
        private final boolean indexesAfterCopy;
        private TableProgress.State state = TableProgress.State.WAITING;
        private long done;
        private long repaired;
        private long rejected;
        private Instant startedAt;
        private Instant finishedAt;

        Table(String name, long total, boolean indexesAfterCopy) {
            this.name = name;
            this.total = total;
            this.indexesAfterCopy = indexesAfterCopy;
        }

        double indexWork() {
            return indexesAfterCopy ? INDEX_BUILD_WEIGHT * total : 0;
        }

        TableProgress view(Instant now) {
            Duration elapsed = startedAt == null ? Duration.ZERO
                    : Duration.between(startedAt, finishedAt != null ? finishedAt : now);
            return new TableProgress(name, state, done, total, repaired, rejected, elapsed);
        }

        int order() {
            return switch (state) {
                case COPYING, BUILDING_INDEXES -> 0;
                case WAITING -> 1;
                case DONE, FAILED -> 2;
            };
        }
    }

    @Override
    public synchronized void phase(String description) {
        phase = description;
        note(ProgressNote.Kind.PHASE, description);
    }

    @Override
    public synchronized void copyPlanned(List<PlannedTable> planned) {
        plan = List.copyOf(planned);
        long rows = 0;
        long held = 0;
        for (PlannedTable t : planned) {
            Table table = new Table(t.name(), t.rowsToCopy(), t.indexesAfterCopy());
            tables.put(t.name(), table);
            rows += t.rowsToCopy();
            held += t.rowsBefore() + t.rowsToCopy();
            plannedWork += table.indexWork();
        }
        plannedWork += rows + finalChecks(rows) + (verifying ? VERIFY_WEIGHT * held : 0);
        copyStarted = clock.instant();
        ProgressText.resumption(planned).ifPresent(text -> note(ProgressNote.Kind.INFO, text));
    }

    @Override
    public synchronized void verificationPlanned() {
        verifying = true;
    }

    @Override
    public synchronized void tableStarted(String name, long done, long total) {
        Table table = tables.computeIfAbsent(name, n -> new Table(n, total, false));
        table.state = TableProgress.State.COPYING;
        table.done = done;
        table.startedAt = clock.instant();
        if (table.total >= LARGE_TABLE) {
            note(ProgressNote.Kind.TABLE_STARTED, String.format(Locale.ROOT, "%s: copying %s",
                    name, ProgressText.count(table.total, "row")));
        }
    }

    @Override
    public synchronized void rowsCommitted(String name, long rows, long bytes) {
        Table table = tables.get(name);
        if (table != null) {
            table.done += rows;
        }
        bytesDone += bytes;
    }

    @Override
    public synchronized void findingsRecorded(String name, long repaired, long rejected) {
        Table table = tables.get(name);
        if (table != null) {
            table.repaired += repaired;
            table.rejected += rejected;
        }
    }

    @Override
    public synchronized void indexesBuilding(String name, int count) {
        Table table = tables.get(name);
        if (table != null) {
            table.state = TableProgress.State.BUILDING_INDEXES;
        }
    }

    @Override
    public synchronized void tableFinished(String name) {
        Table table = tables.get(name);
        if (table == null) {
            return;
        }
        table.state = TableProgress.State.DONE;
        table.finishedAt = clock.instant();
        if (table.total >= LARGE_TABLE) {
            note(ProgressNote.Kind.TABLE_FINISHED, String.format(Locale.ROOT, "%s: done (%s in %s)", name,
                    ProgressText.count(table.done, "row"),
                    ProgressText.duration(Duration.between(table.startedAt, table.finishedAt))));
        }
    }

    @Override
    public synchronized void copyFinished() {
        copyFinished = clock.instant();
    }

    @Override
    public synchronized void sequencesSet(Map<String, Long> lastValues) {
        sequences.putAll(lastValues);
    }

    @Override
    public synchronized void warning(String message) {
        note(ProgressNote.Kind.WARNING, message);
    }

    /** The run is over (the checks after the copy included): the work is complete. */
    public synchronized void finished() {
        finished = true;
    }

    /** The tables as planned (empty before the copy starts). */
    public synchronized List<PlannedTable> plan() {
        return plan;
    }

    /** The sequences set by this run, by name. */
    public synchronized Map<String, Long> sequences() {
        return Map.copyOf(sequences);
    }

    /** The notes from the {@code from}-th on (a view keeps count of those it has shown). */
    public synchronized List<ProgressNote> notesFrom(int from) {
        return List.copyOf(notes.subList(Math.min(from, notes.size()), notes.size()));
    }

    public synchronized ProgressSnapshot snapshot() {
        Instant now = clock.instant();
        long rowsDone = 0;
        long rowsTotal = 0;
        long repaired = 0;
        long rejected = 0;
        double workDone = 0;
        for (Table t : tables.values()) {
            rowsDone += t.done;
            rowsTotal += t.total;
            repaired += t.repaired;
            rejected += t.rejected;
            workDone += Math.min(t.done, t.total) + (t.state == TableProgress.State.DONE ? t.indexWork() : 0);
        }
        if (finished) {
            workDone = plannedWork;
        }
        double fraction = plannedWork > 0 ? Math.min(1.0, workDone / plannedWork) : finished ? 1.0 : 0.0;
        Optional<Duration> eta = Optional.empty();
        double copySeconds = 0;
        if (copyStarted != null) {
            double workSeconds = seconds(copyStarted, now);
            if (workDone > 0 && workSeconds > 0) {
                eta = Optional.of(Duration.ofMillis((long) ((plannedWork - workDone) / (workDone / workSeconds) * 1000)));
            }
            copySeconds = seconds(copyStarted, copyFinished != null ? copyFinished : now);
        }
        double rowRate = copySeconds > 0 ? rowsDone / copySeconds : 0;
        double byteRate = copySeconds > 0 ? bytesDone / copySeconds : 0;
        List<Table> ordered = new ArrayList<>(tables.values());
        // stable: running tables in start order, waiting ones in plan order (largest first), finished ones
        // in finish order
        ordered.sort(Comparator.comparingInt(Table::order).thenComparing(t -> t.order() == 1 ? Instant.MIN
                : t.order() == 0 ? t.startedAt : t.finishedAt != null ? t.finishedAt : Instant.MAX));
        return new ProgressSnapshot(phase, Duration.between(started, now), fraction, eta, rowsDone, rowsTotal,
                bytesDone, rowRate, byteRate, repaired, rejected, ordered.stream().map(t -> t.view(now)).toList(),
                logFile);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static double finalChecks(long rows) {
        return Math.max(FINAL_CHECKS_MINIMUM, FINAL_CHECKS_SHARE * rows);
    }

    private void note(ProgressNote.Kind kind, String text) {
        notes.add(new ProgressNote(clock.instant(), kind, text));
    }
}
