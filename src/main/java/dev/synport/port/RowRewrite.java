package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.Messages;
import dev.synport.digest.RowHasher;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.CopyOutRows;
import dev.synport.postgres.LockGuard;
import dev.synport.postgres.TargetTable;
import dev.synport.report.Finding;
import dev.synport.report.FindingSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a target table that holds an earlier state of the snapshot's table to this one by
 * writing only what differs, in one transaction with its checkpoint and digest. The target's
 * rows and the snapshot's are compared as the lines the port writes, by their hashes (as the
 * verification compares them): a snapshot row whose line the target holds keeps it; the
 * target's rows no snapshot row matched are deleted (by their {@code ctid}); the snapshot's
 * rows the target lacks are inserted. An updated row is both. No key is needed, and the
 * comparison does not trust what the target is said to hold: whatever it held, it ends with
 * the rows a full copy would write. It declines, changing nothing, for a table too large to
 * compare in memory or when PostgreSQL refuses a row (the full copy then isolates and rejects
 * it).
 */
public final class RowRewrite {
    private static final Logger LOG = LoggerFactory.getLogger(RowRewrite.class);
    /** The most target rows compared in memory (about 64 MB at this many); larger tables are copied again. */
    static final int MAX_ROWS = 2_000_000;
    private static final String STAGE = "port_from_sqlite3_rewrite";
    private static final int DELETE_CHUNK = 10_000;

    /** What the rewrite did: rows found the same, written, and deleted. */
    record Outcome(long unchanged, long written, long deleted) {}

    private final TablePlan plan;
    private final CheckpointStore checkpoints;
    private final CopyDigests.Running digest;
    private final FindingSink findings;
    private final LockGuard guard;

    /**
     * Whether {@code table} can be rewritten so: a table Synapse rewrites (append-only ones
     * resume, or are copied again when their rows changed), written straight into its target
     * table whose every copied column the comparison sees, copied batch by batch, and not one
     * the port adds rows of its own to.
     */
    public static boolean applies(TablePlan table, TargetTable target) {
        return !table.appendOnly() && !table.singleTransaction() && table.target() instanceof DirectWriter
                && !table.name().equals(Planner.BACKGROUND_UPDATES)
                && !CopyDigests.fieldsOf(table, target).contains(RowHasher.Canon.SKIP);
    }

    /** @param digest the table's digest from its start, which the rewrite sets to this snapshot's rows */
    RowRewrite(TablePlan plan, CheckpointStore checkpoints, CopyDigests.Running digest, FindingSink findings,
            LockGuard guard) {
        this.plan = plan;
        this.checkpoints = checkpoints;
        this.digest = digest;
        this.findings = findings;
        this.guard = guard;
    }

    /**
     * Rewrites the table and commits, or declines (empty) having rolled back whatever it
     * began; any other failure is thrown, rolled back too.
     */
    Optional<Outcome> run(Connection sqlite, Connection pg) throws SQLException {
        pg.setAutoCommit(false);
        try {
            Optional<Outcome> outcome = rewrite(sqlite, pg);
            if (outcome.isEmpty()) {
                pg.rollback();
            }
            return outcome;
        } catch (PSQLException e) {
            pg.rollback();
            if (!TableCopier.refusesData(e)) {
                throw e;
            }
            LOG.info("{}: PostgreSQL refused a changed row ({}); the table is copied again in full", plan.name(),
                    Messages.oneLine(e.getMessage()));
            return Optional.empty();
        } catch (Throwable e) {
            pg.rollback();
            throw e;
        } finally {
            pg.setAutoCommit(true);
        }
    }

    private Optional<Outcome> rewrite(Connection sqlite, Connection pg) throws SQLException {
        String table = Identifiers.quote(plan.name());
        String columns = ColumnPlan.targetList(plan.columns());
        LineBag target = new LineBag(MAX_ROWS);
        try (Statement st = pg.createStatement()) {
            // nothing else may move the rows between their reading and the delete by ctid
            st.execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
            st.execute("CREATE TEMPORARY TABLE " + STAGE + " ON COMMIT DROP AS SELECT " + columns + " FROM " + table
                    + " WITH NO DATA");
        }
        if (!readTarget(pg, "COPY (SELECT ctid, " + columns + " FROM " + table + ") TO STDOUT", target)) {
            LOG.info("{}: more than {} rows in the target, too many to compare; the table is copied again in full",
                    plan.name(), MAX_ROWS);
            return Optional.empty();
        }
        Snapshot side = new Snapshot();
        CopyIn stage = pg.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + STAGE + " (" + columns + ") FROM STDIN");
        try {
            new EncodedRows(plan).inspect(sqlite, Set.of(), "", (rowid, line, length, found) -> {
                side.saw(rowid);
                if (line == null) {
                    side.findings.addAll(found);
                    return;
                }
                long hash = digest.hash(line, 0, length);
                side.rows++;
                side.hashSum += hash;
                if (!target.take(hash)) {
                    stage.writeToCopy(line, 0, length + 1);
                    side.written++;
                    side.findings.addAll(found);
                }
            });
            stage.endCopy();
        } finally {
            if (stage.isActive()) {
                stage.cancelCopy();
            }
        }
        long deleted = delete(pg, table, target);
        try (Statement st = pg.createStatement()) {
            st.executeUpdate("INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + STAGE);
        }
        Checkpoint end = side.checkpoint();
        checkpoints.set(pg, plan.name(), end);
        digest.add(pg, side.rows, side.hashSum, end);
        guard.beforeCommit(pg);
        // reported before the commit: a crash in between repeats a line, never loses one
        findings.record(side.findings);
        pg.commit();
        return Optional.of(new Outcome(side.rows - side.written, side.written, deleted));
    }

    /** Reads the target's rows into {@code bag}; false if they are more than it holds. */
    private boolean readTarget(Connection pg, String command, LineBag bag) throws SQLException {
        return CopyOutRows.forEach(pg, command, (row, length) -> {
            int tab = 0;
            while (row[tab] != '\t') {
                tab++;
            }
            return bag.add(digest.hash(row, tab + 1, length), ctid(row, tab));
        });
    }

    /** Deletes the rows no snapshot row took; returns how many. */
    private static long delete(Connection pg, String table, LineBag bag) throws SQLException {
        List<String> doomed = new ArrayList<>();
        bag.forEachUntaken(location -> doomed.add("(" + (location >>> 16) + "," + (location & 0xffff) + ")"));
        long deleted = 0;
        try (PreparedStatement ps = pg.prepareStatement("DELETE FROM " + table + " WHERE ctid = ANY (?::tid[])")) {
            for (int from = 0; from < doomed.size(); from += DELETE_CHUNK) {
                List<String> chunk = doomed.subList(from, Math.min(doomed.size(), from + DELETE_CHUNK));
                ps.setArray(1, pg.createArrayOf("text", chunk.toArray()));
                deleted += ps.executeUpdate();
            }
        }
        if (deleted != doomed.size()) {
            throw new SQLException("the rewrite of " + table + " deleted " + deleted + " rows, not the "
                    + doomed.size() + " it found changed or gone");
        }
        return deleted;
    }

    /** The {@code (block,offset)} text at the line's start, packed: block above, offset in the low 16 bits. */
    private static long ctid(byte[] row, int end) {
        long block = 0;
        int i = 1;
        for (; row[i] != ','; i++) {
            block = block * 10 + (row[i] - '0');
        }
        long offset = 0;
        for (i++; i < end - 1; i++) {
            offset = offset * 10 + (row[i] - '0');
        }
        return (block << 16) | offset;
    }

    /** What the snapshot side gave: its rows' count and hash sum (the digest), the rowids seen, what was written. */
    private static final class Snapshot {
        private long rows;
        private long hashSum;
        private long written;
        private long maxRowid = Long.MIN_VALUE;
        private long minRowid = Long.MAX_VALUE;
        private final List<Finding> findings = new ArrayList<>();

        void saw(long rowid) {
            maxRowid = Math.max(maxRowid, rowid);
            minRowid = Math.min(minRowid, rowid);
        }

        /** Where a full copy from the start would have left the checkpoint: past the rows on each side. */
        Checkpoint checkpoint() {
            Checkpoint start = Checkpoint.START;
            return new Checkpoint(maxRowid >= start.forwardRowid() ? maxRowid + 1 : start.forwardRowid(),
                    minRowid <= start.backwardRowid() ? minRowid - 1 : start.backwardRowid());
        }
    }
}
