package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.Messages;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.ForeignKey;
import dev.synport.postgres.LockGuard;
import dev.synport.progress.ProgressListener;
import dev.synport.report.Finding;
import dev.synport.report.FindingSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;

/**
 * Copies one table: reads the snapshot by rowid, forwards from the checkpoint and then
 * backwards, and streams the rows into PostgreSQL with COPY. Each batch commits together with
 * its checkpoint, so a kill at any moment loses and duplicates nothing. A batch that
 * PostgreSQL refuses is rolled back and copied again row by row, each row in a savepoint;
 * rows it still refuses are rejected and reported.
 */
final class TableCopier {
    private static final int FLUSH_BYTES = 1 << 16;

    private final TablePlan plan;
    private final CopySettings settings;
    private final CheckpointStore checkpoints;
    private final FindingSink findings;
    private final ProgressListener progress;
    private final LockGuard guard;
    private final BooleanSupplier cancelled;
    private final Optional<CopyDigests.Running> digest;
    private final RowEncoder encoder;
    private final String selectColumns;

    /** @param digest the table's digest for the verification, kept up to date with each batch, if it has one */
    TableCopier(TablePlan plan, CopySettings settings, CheckpointStore checkpoints, FindingSink findings,
            ProgressListener progress, LockGuard guard, BooleanSupplier cancelled,
            Optional<CopyDigests.Running> digest) {
        this.plan = plan;
        this.settings = settings;
        this.checkpoints = checkpoints;
        this.findings = findings;
        this.progress = progress;
        this.guard = guard;
        this.cancelled = cancelled;
        this.digest = digest;
        this.encoder = new RowEncoder(plan.name(), plan.columns());
        this.selectColumns = plan.selectList();
    }

    /** Copies everything after {@code start}; the report names rows by {@code key}. */
    void copy(Connection sqlite, Connection pg, Checkpoint start, RowKey key) throws SQLException {
        pg.setAutoCommit(false);
        try {
            plan.target().prepare(pg);
            Map<String, List<String[]>> selfKeys = new HashMap<>();
            for (ForeignKey fk : plan.selfReferences()) {
                selfKeys.put(fk.name(), keyColumns(pg, fk));
            }
            if (plan.singleTransaction()) {
                dropSelfReferences(pg);
            }
            Batcher batcher = new Batcher(sqlite, pg, start, key);
            batcher.sweep(true);
            batcher.sweep(false);
            if (plan.singleTransaction()) {
                restoreSelfReferences(pg, selfKeys, key);
                guard.beforeCommit(pg);
                pg.commit();
            }
        } catch (Throwable e) {
            // anything, errors included: restoring auto-commit below must not commit a half copy
            pg.rollback();
            throw e;
        } finally {
            pg.setAutoCommit(true);
        }
    }

    private void dropSelfReferences(Connection pg) throws SQLException {
        try (Statement st = pg.createStatement()) {
            for (ForeignKey fk : plan.selfReferences()) {
                st.execute("ALTER TABLE " + Identifiers.quote(fk.table()) + " DROP CONSTRAINT "
                        + Identifiers.quote(fk.name()));
            }
        }
    }

    private void restoreSelfReferences(Connection pg, Map<String, List<String[]>> selfKeys, RowKey key)
            throws SQLException {
        try (Statement st = pg.createStatement()) {
            for (ForeignKey fk : plan.selfReferences()) {
                rejectOrphans(pg, fk, selfKeys.get(fk.name()), key);
                st.execute("ALTER TABLE " + Identifiers.quote(fk.table()) + " ADD CONSTRAINT "
                        + Identifiers.quote(fk.name()) + " " + fk.definition());
            }
        }
    }

    /**
     * Rows whose reference into their own table points at a row that did not arrive (it was
     * rejected) cannot stay: they are removed, repeatedly (chains), and reported as rejected,
     * as a foreign key would have refused them.
     */
    private void rejectOrphans(Connection pg, ForeignKey fk, List<String[]> pairs, RowKey key) throws SQLException {
        if (pairs.isEmpty()) {
            return;
        }
        String table = Identifiers.quote(fk.table());
        String notNull = pairs.stream().map(p -> "c." + p[0] + " IS NOT NULL").collect(Collectors.joining(" AND "));
        String matches = pairs.stream().map(p -> "p." + p[1] + " = c." + p[0]).collect(Collectors.joining(" AND "));
        String delete = "DELETE FROM " + table + " c WHERE " + notNull + " AND NOT EXISTS (SELECT 1 FROM " + table
                + " p WHERE " + matches + ") RETURNING c::text" + key.targetColumns("c");
        List<Finding> orphans = new ArrayList<>();
        boolean removed = true;
        while (removed) {
            removed = false;
            try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(delete)) {
                while (rs.next()) {
                    removed = true;
                    orphans.add(new Finding(plan.name(), 0, null, Finding.Action.REJECTED, "refers to a row of its own"
                            + " table that was not ported (foreign key " + fk.name() + "); rowid unknown, the row as"
                            + " PostgreSQL held it is given", rs.getString(1)).withKey(key.of(rs, 2)));
                }
            }
        }
        findings.record(orphans);
        if (!orphans.isEmpty() && digest.isPresent()) {
            digest.get().discard(pg);
        }
    }

    /** The (referencing, referenced) column pairs of a foreign key, quoted. */
    private static List<String[]> keyColumns(Connection pg, ForeignKey fk) throws SQLException {
        List<String[]> pairs = new ArrayList<>();
        try (PreparedStatement ps = pg.prepareStatement("SELECT a.attname, r.attname"
                + " FROM pg_constraint c, unnest(c.conkey, c.confkey) AS k(child, parent)"
                + " JOIN pg_attribute a ON a.attnum = k.child JOIN pg_attribute r ON r.attnum = k.parent"
                + " WHERE c.conname = ? AND c.conrelid = ?::regclass AND a.attrelid = c.conrelid"
                + " AND r.attrelid = c.confrelid")) {
            ps.setString(1, fk.name());
            ps.setString(2, Identifiers.quote(fk.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pairs.add(new String[] {Identifiers.quote(rs.getString(1)), Identifiers.quote(rs.getString(2))});
                }
            }
        }
        return pairs;
    }

    /** The state of one table's copy: the checkpoint so far and the COPY buffer. */
    private final class Batcher {
        private final Connection sqlite;
        private final Connection pg;
        private final CopyBuffer buffer = new CopyBuffer();
        private final RowKey key;
        private Checkpoint checkpoint;

        Batcher(Connection sqlite, Connection pg, Checkpoint start, RowKey key) {
            this.sqlite = sqlite;
            this.pg = pg;
            this.checkpoint = start;
            this.key = key;
        }

        /** Copies the rows on one side of the checkpoint, batch by batch. */
        void sweep(boolean forwards) throws SQLException {
            String rowid = plan.rowidExpression();
            String sql = "SELECT " + selectColumns + " FROM " + plan.sourceFrom() + " WHERE " + rowid
                    + (forwards ? " >= ? ORDER BY " + rowid : " <= ? ORDER BY " + rowid + " DESC");
            try (PreparedStatement ps = sqlite.prepareStatement(sql)) {
                ps.setLong(1, forwards ? checkpoint.forwardRowid() : checkpoint.backwardRowid());
                try (ResultSet rs = ps.executeQuery()) {
                    boolean more = rs.next();
                    while (more) {
                        if (cancelled.getAsBoolean()) {
                            throw new CancellationException();
                        }
                        Batch batch = new Batch(rs.getLong(1));
                        more = copyBatch(rs, batch);
                        checkpoint = forwards
                                ? new Checkpoint(batch.last + 1, checkpoint.backwardRowid())
                                : new Checkpoint(checkpoint.forwardRowid(), batch.last - 1);
                        checkpoints.set(pg, plan.name(), checkpoint);
                        if (digest.isPresent()) {
                            digest.get().add(pg, batch.rows, batch.hashSum, checkpoint);
                        }
                        if (!plan.singleTransaction()) {
                            guard.beforeCommit(pg);
                        }
                        // reported before the commit: a crash in between repeats a line, never loses one
                        findings.record(batch.findings);
                        if (!plan.singleTransaction()) {
                            pg.commit();
                        }
                        progress.rowsCommitted(plan.name(), batch.rows + rejected(batch.findings), batch.bytes);
                    }
                }
            }
        }

        /**
         * Streams up to a batch of rows into one COPY inside a savepoint. If PostgreSQL refuses
         * the data, the savepoint is rolled back and the batch's rowid range copied row by row.
         * Returns whether the result set has more rows.
         */
        private boolean copyBatch(ResultSet rs, Batch batch) throws SQLException {
            execute("SAVEPOINT batch");
            CopyIn copy = pg.unwrap(PGConnection.class).getCopyAPI().copyIn(plan.target().copyStatement());
            try {
                boolean more = stream(rs, copy, batch);
                copy.endCopy();
                plan.target().afterCopy(pg);
                execute("RELEASE SAVEPOINT batch");
                return more;
            } catch (PSQLException e) {
                undo(e, copy, "batch");
                batch.findings.clear();
                batch.rows = 0;
                batch.hashSum = 0;
                isolate(Math.min(batch.first, batch.last), Math.max(batch.first, batch.last), batch);
                return batch.more;
            } finally {
                cancel(copy);
            }
        }

        /** Encodes rows into the COPY until the batch is full or the rows run out; SQLite errors propagate. */
        private boolean stream(ResultSet rs, CopyIn copy, Batch batch) throws SQLException {
            buffer.clear();
            long sent = 0;
            for (int seen = 0; seen < settings.batchRows() && sent < settings.batchBytes(); seen++) {
                batch.last = rs.getLong(1);
                int found = batch.findings.size();
                int lineStart = buffer.length();
                if (encoder.encode(rs, batch.last, buffer, batch.findings)) {
                    batch.rows++;
                    batch.hashSum += hash(lineStart);
                }
                key.name(rs, batch.findings, found);
                // advance before writing: should PostgreSQL refuse the write, the batch ends at `last`
                batch.more = rs.next();
                if (buffer.length() >= FLUSH_BYTES) {
                    sent += buffer.length();
                    copy.writeToCopy(buffer.array(), 0, buffer.length());
                    buffer.clear();
                }
                if (!batch.more) {
                    break;
                }
            }
            if (buffer.length() > 0) {
                sent += buffer.length();
                copy.writeToCopy(buffer.array(), 0, buffer.length());
            }
            batch.bytes = sent;
            return batch.more;
        }

        /** The hash of the line from {@code lineStart} to the buffer's end, without its newline (0 without a digest). */
        private long hash(int lineStart) {
            return digest.isEmpty() ? 0 : digest.get().hash(buffer.array(), lineStart, buffer.length() - 1);
        }

        /**
         * Copies the rows with rowids in [low, high] one by one, adding those PostgreSQL accepts to
         * the batch and the findings to its own.
         */
        private void isolate(long low, long high, Batch batch) throws SQLException {
            List<Finding> pending = batch.findings;
            String rowid = plan.rowidExpression();
            String sql = "SELECT " + selectColumns + " FROM " + plan.sourceFrom() + " WHERE " + rowid
                    + " BETWEEN ? AND ? ORDER BY " + rowid;
            try (PreparedStatement ps = sqlite.prepareStatement(sql)) {
                ps.setLong(1, low);
                ps.setLong(2, high);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        buffer.clear();
                        List<Finding> rowFindings = new ArrayList<>();
                        boolean encoded = encoder.encode(rs, id, buffer, rowFindings);
                        key.name(rs, rowFindings, 0);
                        if (!encoded) {
                            pending.addAll(rowFindings);
                            continue;
                        }
                        execute("SAVEPOINT single_row");
                        CopyIn copy = pg.unwrap(PGConnection.class).getCopyAPI().copyIn(plan.target().copyStatement());
                        try {
                            copy.writeToCopy(buffer.array(), 0, buffer.length());
                            copy.endCopy();
                            plan.target().afterCopy(pg);
                            execute("RELEASE SAVEPOINT single_row");
                            pending.addAll(rowFindings);
                            batch.rows++;
                            batch.hashSum += hash(0);
                        } catch (PSQLException e) {
                            undo(e, copy, "single_row");
                            pending.add(new Finding(plan.name(), id, null, Finding.Action.REJECTED,
                                    "PostgreSQL refused the row: " + Messages.oneLine(e.getMessage()), null)
                                    .withKey(key.of(rs)));
                        } finally {
                            cancel(copy);
                        }
                    }
                }
            }
        }

        /**
         * After PostgreSQL refused data: ends the COPY and rolls back to the savepoint; any other
         * failure (connection, server) is rethrown as it is.
         */
        private void undo(PSQLException e, CopyIn copy, String savepoint) throws SQLException {
            if (!refusesData(e)) {
                throw e;
            }
            cancel(copy);
            execute("ROLLBACK TO SAVEPOINT " + savepoint);
            execute("RELEASE SAVEPOINT " + savepoint);
        }

        private void execute(String sql) throws SQLException {
            try (Statement st = pg.createStatement()) {
                st.execute(sql);
            }
        }
    }

    /** Rows read for one transaction, in sweep order: the first and last rowid, and what became of them. */
    private static final class Batch {
        private final long first;
        private long last;
        private int rows;
        /** The sum of the hashes of the rows kept, for the table's digest. */
        private long hashSum;
        private long bytes;
        private boolean more;
        private final List<Finding> findings = new ArrayList<>();

        Batch(long first) {
            this.first = first;
            this.last = first;
        }
    }

    /**
     * Whether PostgreSQL refused the data itself (invalid values, constraints, limits such as a
     * tsvector's size, trigger checks), as opposed to the connection or the server failing.
     */
    static boolean refusesData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54")
                || state.startsWith("P0"));
    }

    private static void cancel(CopyIn copy) throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }

    /** How many of the findings are rejected rows (the others are repaired values). */
    static long rejected(List<Finding> findings) {
        return findings.stream().filter(f -> f.action() == Finding.Action.REJECTED).count();
    }

    /** Thrown inside a copy when another worker failed or the user stopped the port; the batch in progress is rolled back. */
    static final class CancellationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancellationException() {
            super("cancelled", null, false, false);
        }
    }
}
