package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.ForeignKey;
import dev.synport.progress.ProgressListener;
import dev.synport.report.Finding;
import dev.synport.report.FindingSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

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
    private final BooleanSupplier cancelled;
    private final RowEncoder encoder;
    private final String selectColumns;

    TableCopier(TablePlan plan, CopySettings settings, CheckpointStore checkpoints, FindingSink findings,
            ProgressListener progress, BooleanSupplier cancelled) {
        this.plan = plan;
        this.settings = settings;
        this.checkpoints = checkpoints;
        this.findings = findings;
        this.progress = progress;
        this.cancelled = cancelled;
        this.encoder = new RowEncoder(plan.name(), plan.columns());
        this.selectColumns = plan.rowidExpression() + ", "
                + plan.columns().stream().map(ColumnPlan::sourceExpression).collect(Collectors.joining(", "));
    }

    /** Copies everything after {@code start}; returns the number of rows written. */
    long copy(Connection sqlite, Connection pg, Checkpoint start) throws SQLException {
        pg.setAutoCommit(false);
        plan.target().prepare(pg);
        if (plan.singleTransaction()) {
            dropSelfReferences(pg);
        }
        Batcher batcher = new Batcher(sqlite, pg, start);
        try {
            long rows = batcher.sweep(true) + batcher.sweep(false);
            if (plan.singleTransaction()) {
                restoreSelfReferences(pg);
                pg.commit();
            }
            return rows;
        } catch (SQLException | RuntimeException e) {
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

    private void restoreSelfReferences(Connection pg) throws SQLException {
        try (Statement st = pg.createStatement()) {
            for (ForeignKey fk : plan.selfReferences()) {
                st.execute("ALTER TABLE " + Identifiers.quote(fk.table()) + " ADD CONSTRAINT "
                        + Identifiers.quote(fk.name()) + " " + fk.definition());
            }
        }
    }

    /** The state of one table's copy: the checkpoint so far and the open COPY buffer. */
    private final class Batcher {
        private final Connection sqlite;
        private final Connection pg;
        private final CopyBuffer buffer = new CopyBuffer();
        private Checkpoint checkpoint;

        Batcher(Connection sqlite, Connection pg, Checkpoint start) {
            this.sqlite = sqlite;
            this.pg = pg;
            this.checkpoint = start;
        }

        long sweep(boolean forwards) throws SQLException {
            String rowid = plan.rowidExpression();
            String sql = "SELECT " + selectColumns + " FROM " + plan.sourceFrom() + " WHERE " + rowid
                    + (forwards ? " >= ? ORDER BY " + rowid : " <= ? ORDER BY " + rowid + " DESC");
            long written = 0;
            try (PreparedStatement ps = sqlite.prepareStatement(sql)) {
                ps.setLong(1, forwards ? checkpoint.forwardRowid() : checkpoint.backwardRowid());
                try (ResultSet rs = ps.executeQuery()) {
                    boolean more = rs.next();
                    while (more) {
                        if (cancelled.getAsBoolean()) {
                            throw new CancellationException();
                        }
                        long first = rs.getLong(1);
                        long last = first;
                        int rows = 0;
                        List<Finding> pending = new ArrayList<>();
                        execute("SAVEPOINT batch");
                        CopyIn copy = pg.unwrap(PGConnection.class).getCopyAPI().copyIn(plan.target().copyStatement());
                        int copied = 0;
                        try {
                            buffer.clear();
                            for (int seen = 0; more && seen < settings.batchRows() && copied < settings.batchBytes();
                                    seen++) {
                                last = rs.getLong(1);
                                if (encoder.encode(rs, last, buffer, pending)) {
                                    rows++;
                                }
                                if (buffer.length() >= FLUSH_BYTES) {
                                    copied += buffer.length();
                                    copy.writeToCopy(buffer.array(), 0, buffer.length());
                                    buffer.clear();
                                }
                                more = rs.next();
                            }
                            if (buffer.length() > 0) {
                                copy.writeToCopy(buffer.array(), 0, buffer.length());
                            }
                            copy.endCopy();
                            plan.target().afterCopy(pg);
                            execute("RELEASE SAVEPOINT batch");
                        } catch (SQLException e) {
                            if (copy.isActive()) {
                                copy.cancelCopy();
                            }
                            execute("ROLLBACK TO SAVEPOINT batch");
                            execute("RELEASE SAVEPOINT batch");
                            pending.clear();
                            rows = isolate(Math.min(first, last), Math.max(first, last), pending);
                        } finally {
                            if (copy.isActive()) {
                                copy.cancelCopy();
                            }
                        }
                        checkpoint = forwards
                                ? new Checkpoint(last + 1, checkpoint.backwardRowid())
                                : new Checkpoint(checkpoint.forwardRowid(), last - 1);
                        checkpoints.set(pg, plan.name(), checkpoint);
                        if (!plan.singleTransaction()) {
                            pg.commit();
                        }
                        findings.record(pending);
                        progress.rowsCommitted(plan.name(), rows + rejected(pending));
                        written += rows;
                    }
                }
            }
            return written;
        }

        /** Copies the rows with rowids in [low, high] one by one; returns how many PostgreSQL accepted. */
        private int isolate(long low, long high, List<Finding> pending) throws SQLException {
            String rowid = plan.rowidExpression();
            String sql = "SELECT " + selectColumns + " FROM " + plan.sourceFrom() + " WHERE " + rowid
                    + " BETWEEN ? AND ? ORDER BY " + rowid;
            int accepted = 0;
            try (PreparedStatement ps = sqlite.prepareStatement(sql)) {
                ps.setLong(1, low);
                ps.setLong(2, high);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        buffer.clear();
                        List<Finding> rowFindings = new ArrayList<>();
                        if (!encoder.encode(rs, id, buffer, rowFindings)) {
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
                            accepted++;
                        } catch (SQLException e) {
                            if (copy.isActive()) {
                                copy.cancelCopy();
                            }
                            execute("ROLLBACK TO SAVEPOINT single_row");
                            execute("RELEASE SAVEPOINT single_row");
                            pending.add(new Finding(plan.name(), id, null, Finding.Action.REJECTED,
                                    "PostgreSQL refused the row: " + oneLine(e.getMessage()), null));
                        }
                    }
                }
            }
            return accepted;
        }

        private void execute(String sql) throws SQLException {
            try (Statement st = pg.createStatement()) {
                st.execute(sql);
            }
        }
    }

    private static long rejected(List<Finding> findings) {
        return findings.stream().filter(f -> f.action() == Finding.Action.REJECTED).count();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Thrown inside a copy when another worker failed; the batch in progress is rolled back. */
    static final class CancellationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancellationException() {
            super("cancelled", null, false, false);
        }
    }
}
