package dev.synport.port;

import dev.synport.report.Finding;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A table's snapshot rows exactly as the port writes them: read with the copier's query and
 * encoded by its {@link RowEncoder} into COPY text lines, so that a verification sees the
 * same repairs and leaves out the same rejected rows without re-implementing either.
 */
public final class EncodedRows {
    /** Receives one encoded row: {@code line[0..length)} holds its COPY text, without the newline. */
    @FunctionalInterface
    public interface Sink {
        void row(long rowid, byte[] line, int length);
    }

    /**
     * Receives every row read, with what encoding it found (repairs, or why it is rejected):
     * {@code line[0..length)} holds its COPY text without the newline, {@code line} is null
     * for a rejected row.
     */
    @FunctionalInterface
    interface Inspector {
        void row(long rowid, byte[] line, int length, List<Finding> findings) throws SQLException;
    }

    private final TablePlan plan;

    public EncodedRows(TablePlan plan) {
        this.plan = plan;
    }

    /**
     * Streams every row the port would write, except those whose rowid is in {@code skipped}
     * (rows PostgreSQL refused during the port) and those {@code condition} (an SQL expression,
     * or empty) excludes.
     */
    public void forEach(Connection sqlite, Set<Long> skipped, String condition, Sink sink) throws SQLException {
        inspect(sqlite, skipped, condition, (rowid, line, length, findings) -> {
            if (line != null) {
                sink.row(rowid, line, length);
            }
        });
    }

    /** Like {@link #forEach}, giving rejected rows too, and each row's findings (valid only during the call). */
    void inspect(Connection sqlite, Set<Long> skipped, String condition, Inspector inspector) throws SQLException {
        RowEncoder encoder = new RowEncoder(plan.name(), plan.columns());
        String sql = "SELECT " + plan.selectList() + " FROM " + plan.sourceFrom()
                + (condition.isEmpty() ? "" : " WHERE " + condition);
        CopyBuffer buffer = new CopyBuffer();
        List<Finding> findings = new ArrayList<>();
        try (Statement st = sqlite.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                long rowid = rs.getLong(1);
                if (!skipped.isEmpty() && skipped.contains(rowid)) {
                    continue;
                }
                buffer.clear();
                findings.clear();
                if (encoder.encode(rs, rowid, buffer, findings)) {
                    // the encoder ends each line with a newline, which is not part of the row
                    inspector.row(rowid, buffer.array(), buffer.length() - 1, findings);
                } else {
                    inspector.row(rowid, null, 0, findings);
                }
            }
        }
    }
}
