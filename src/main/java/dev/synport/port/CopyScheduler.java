package dev.synport.port;

import dev.synport.FailureReason;
import dev.synport.Identifiers;
import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.DeferredIndexes;
import dev.synport.postgres.LockGuard;
import dev.synport.postgres.PostgresTarget;
import dev.synport.postgres.TargetErrors;
import dev.synport.postgres.Transaction;
import dev.synport.progress.PlannedTable;
import dev.synport.progress.ProgressListener;
import dev.synport.report.FindingSink;
import dev.synport.sqlite.Snapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs table copies on a fixed number of workers, largest tables first, each table once all
 * the tables it references are done. The first failure stops the others after their current
 * batch (which is rolled back); everything committed so far stays, with its checkpoint. A stop
 * requested by the user does the same, and ends the run as interrupted.
 */
public final class CopyScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(CopyScheduler.class);

    private final Snapshot snapshot;
    private final PostgresTarget target;
    private final CheckpointStore checkpoints;
    private final FindingSink report;
    private final ProgressListener progress;
    private final CopySettings settings;
    private final DeferredIndexes indexes;
    private final StopRequest stop;
    private final LockGuard guard;
    private final CopyDigests digests;

    public CopyScheduler(Snapshot snapshot, PostgresTarget target, CheckpointStore checkpoints, DeferredIndexes indexes,
            FindingSink report, ProgressListener progress, CopySettings settings, StopRequest stop, LockGuard guard,
            CopyDigests digests) {
        this.snapshot = snapshot;
        this.target = target;
        this.checkpoints = checkpoints;
        this.indexes = indexes;
        this.report = report;
        this.progress = progress;
        this.settings = settings;
        this.stop = stop;
        this.guard = guard;
        this.digests = digests;
    }

    /** @param rewritten the tables rewritten row by row ({@link RowRewrite}) rather than copied from their position */
    public void run(PortPlan plan, Map<String, Checkpoint> positions, Set<String> rewritten) {
        Map<String, Long> remaining = new HashMap<>();
        List<PlannedTable> planned = new ArrayList<>();
        try (Connection sqlite = snapshot.open()) {
            for (TablePlan table : plan.tables()) {
                Checkpoint from = positions.get(table.name());
                long[] counts = countRows(sqlite, table, from, digests.rowsBehind(table.name(), from));
                remaining.put(table.name(), counts[1]);
                planned.add(new PlannedTable(table.name(), counts[0] - counts[1], counts[1], from.forwardRowid(),
                        counts[1] >= settings.deferIndexesFrom()));
            }
        } catch (SQLException e) {
            throw new PortException(FailureReason.PORT_FAILED, "counting rows in the snapshot failed: "
                    + Messages.oneLine(e.getMessage()), e);
        }
        List<TablePlan> waiting = new ArrayList<>(plan.tables());
        waiting.sort(Comparator.comparingLong((TablePlan t) -> cost(t, remaining.get(t.name()))).reversed());
        planned.sort(Comparator.comparingLong(PlannedTable::rowsToCopy).reversed());
        progress.copyPlanned(planned);
        Set<String> done = new HashSet<>(plan.refilledSpecially());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService executor = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "copy");
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<String> completion = new ExecutorCompletionService<>(executor);
        int running = 0;
        int finishedTables = 0;
        try {
            while (!waiting.isEmpty() || running > 0) {
                if (failure.get() == null && !stop.isRequested()) {
                    for (var it = waiting.iterator(); it.hasNext() && running < settings.workers();) {
                        TablePlan table = it.next();
                        if (done.containsAll(plan.dependencies().get(table.name()))) {
                            it.remove();
                            running++;
                            long total = remaining.get(table.name());
                            completion.submit(() -> copyOne(plan, table, positions.get(table.name()), total,
                                    rewritten.contains(table.name()), failure));
                        }
                    }
                } else {
                    waiting.clear();
                }
                if (running == 0) {
                    break;
                }
                var finished = completion.take();
                running--;
                try {
                    String table = finished.get();
                    if (table != null) {
                        done.add(table);
                        finishedTables++;
                    }
                } catch (ExecutionException e) {
                    failure.compareAndSet(null, e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        } finally {
            executor.shutdownNow();
        }
        // a lost lock is why the others failed (their statements were cancelled): it is the error
        guard.failIfLost();
        Throwable error = failure.get();
        if (error instanceof PortException pe) {
            throw pe;
        }
        if (error != null) {
            throw new PortException(FailureReason.PORT_FAILED, Messages.oneLine(error.getMessage()), error);
        }
        if (stop.isRequested() && finishedTables < plan.tables().size()) {
            throw StopRequest.interrupted();
        }
        if (!waiting.isEmpty()) {
            throw new PortException(FailureReason.PORT_FAILED, "foreign keys form a cycle between tables "
                    + waiting.stream().map(TablePlan::name).toList());
        }
    }

    /**
     * Copies one table, or rewrites it (copying it again in full if the rewrite declines);
     * returns its name once it is copied to its end, null when it stopped because another
     * table failed.
     */
    private String copyOne(PortPlan plan, TablePlan table, Checkpoint start, long total, boolean rewrite,
            AtomicReference<Throwable> failure) {
        progress.tableStarted(table.name(), 0, total);
        if (total == 0 && !rewrite) {
            // nothing after its checkpoint (a rerun): no connections to open; indexes an earlier run left
            // to build are built with the others' leftovers after the copy
            progress.tableFinished(table.name());
            return table.name();
        }
        try (Connection sqlite = snapshot.open(); Connection pg = target.open();
                LockGuard.Watch watching = guard.watch(pg)) {
            try (Statement st = pg.createStatement()) {
                // Each batch commits with its checkpoint; should the server crash, an
                // earlier consistent state is kept, so waiting for the WAL flush buys nothing.
                st.execute("SET synchronous_commit TO off");
            }
            Checkpoint from = start;
            long rows = total;
            if (rewrite) {
                CopyDigests.Running digest = digests.of(table.name()).orElseThrow();
                Optional<RowRewrite.Outcome> done = new RowRewrite(table, checkpoints, digest,
                        reporting(table.name()), guard).run(sqlite, pg);
                if (done.isPresent()) {
                    LOG.info("{}: compared row by row with the target: {} rows unchanged, {} written, {} deleted",
                            table.name(), done.get().unchanged(), done.get().written(), done.get().deleted());
                    progress.rowsCommitted(table.name(), done.get().written(), 0);
                    snapshot.checkUnchanged();
                    progress.tableFinished(table.name());
                    return table.name();
                }
                empty(pg, plan, table, digest);
                from = Checkpoint.START;
                rows = countRows(sqlite, table, from, Optional.empty())[1];
            }
            RowKey key = RowKey.read(pg, table); // before its unique indexes are deferred
            indexes.deferIfWorthIt(pg, table.name(), rows, guard);
            new TableCopier(table, settings, checkpoints, reporting(table.name()), progress, guard,
                    () -> failure.get() != null || stop.isRequested() || guard.isLost(), digests.of(table.name()))
                    .copy(sqlite, pg, from, key);
            List<String> pending = indexes.pending(pg, table.name());
            if (!pending.isEmpty()) {
                progress.indexesBuilding(table.name(), pending.size());
                if (rows >= settings.deferIndexesFrom()) {
                    progress.phase(table.name() + ": building " + pending.size() + " index(es) and constraint(s) "
                            + String.join(", ", pending));
                }
                indexes.rebuild(pg, table.name(), guard, removals(plan));
            }
            snapshot.checkUnchanged();
            progress.tableFinished(table.name());
            return table.name();
        } catch (TableCopier.CancellationException e) {
            return null;
        } catch (SQLException e) {
            guard.probe();
            PortException error = guard.lost().or(() -> snapshot.readFailureIn(table.name(), e))
                    .orElseGet(() -> new PortException(FailureReason.PORT_FAILED,
                            "copying table " + table.name() + " failed: " + TargetErrors.inUse(e), e));
            failure.compareAndSet(null, error);
            throw error;
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            throw e;
        }
    }

    /**
     * Empties a table its rewrite declined, with the tables that reference it (copied again
     * after it, not begun), in one transaction with its checkpoint and digest reset.
     */
    private void empty(Connection pg, PortPlan plan, TablePlan table, CopyDigests.Running digest)
            throws SQLException {
        Transaction.run(pg, guard, () -> {
            try (Statement st = pg.createStatement()) {
                st.execute("TRUNCATE " + plan.withChildren(Set.of(table.name())).stream().sorted()
                        .map(Identifiers::quote).collect(Collectors.joining(", ")));
            }
            checkpoints.set(pg, table.name(), Checkpoint.START);
            digest.store(pg);
            return null;
        });
    }

    /** What becomes of the rows an index or constraint of {@code plan}'s tables built after the copy refuses. */
    public DeferredIndexes.Removals removals(PortPlan plan) {
        return new RemovedRows(snapshot, plan, digests, this::reporting);
    }

    /** Findings go to the report, and their counts to the progress listener. */
    private FindingSink reporting(String table) {
        return findings -> {
            report.record(findings);
            if (!findings.isEmpty()) {
                long rejected = TableCopier.rejected(findings);
                progress.findingsRecorded(table, findings.size() - rejected, rejected);
            }
        };
    }

    /**
     * The table's rows in the snapshot: all of them, and those after the checkpoint (still to
     * copy). From the start, that is all of them, which SQLite counts from its smallest b-tree
     * (counting by rowid reads every page of the table: ten times as long). Behind the
     * checkpoint, they are the {@code behind} rows a digest of this snapshot state counted
     * where there is one; only the rows after it are then counted, from the checkpoint on.
     */
    private static long[] countRows(Connection sqlite, TablePlan table, Checkpoint from, Optional<Long> behind)
            throws SQLException {
        String source = Identifiers.quote(table.name());
        String countAll = "SELECT count(*) FROM " + source;
        if (from.equals(Checkpoint.START)) {
            long all = count(sqlite, countAll);
            return new long[] {all, all};
        }
        long after = count(sqlite, "SELECT (SELECT count(*) FROM " + source + " WHERE rowid >= ?)"
                + " + (SELECT count(*) FROM " + source + " WHERE rowid <= ?)",
                from.forwardRowid(), from.backwardRowid());
        return new long[] {behind.isPresent() ? behind.get() + after : count(sqlite, countAll), after};
    }

    private static long count(Connection sqlite, String sql, long... parameters) throws SQLException {
        try (PreparedStatement ps = sqlite.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setLong(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * About how long copying {@code rows} of a table takes, in rows of a plain table: an
     * event_search row is joined with its event in SQLite and given its tsvector in PostgreSQL,
     * some five times a plain row's cost (500k events: 10.2 s for 240,382 search rows, 21.8 s
     * for 2,592,201 state rows, their index included).
     */
    static long cost(TablePlan table, long rows) {
        return table.name().equals(Planner.EVENT_SEARCH) ? 5 * rows : rows;
    }
}
