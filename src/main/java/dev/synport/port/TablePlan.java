package dev.synport.port;

import dev.synport.postgres.ForeignKey;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How one table is copied.
 *
 * @param name the table's name in both databases (and in {@code port_from_sqlite3})
 * @param sourceFrom the FROM clause of the SQLite query (quoted)
 * @param rowidExpression how the query names the rowid
 * @param columns the copied columns, in COPY order
 * @param appendOnly resumed from its checkpoint; otherwise emptied and copied again
 * @param target how rows reach the target table
 * @param selfReferences foreign keys of the table onto itself: dropped and re-created around
 *     the copy, which then runs in one transaction
 */
public record TablePlan(
        String name,
        String sourceFrom,
        String rowidExpression,
        List<ColumnPlan> columns,
        boolean appendOnly,
        TargetWriter target,
        List<ForeignKey> selfReferences) {

    public TablePlan {
        columns = List.copyOf(columns);
        selfReferences = List.copyOf(selfReferences);
    }

    /** What a read of the snapshot selects: the rowid, then each column's source expression. */
    public String selectList() {
        return rowidExpression + ", " + columns.stream().map(ColumnPlan::sourceExpression).collect(Collectors.joining(", "));
    }

    /** Copied in a single transaction (tables whose rows reference each other). */
    public boolean singleTransaction() {
        return !selfReferences.isEmpty();
    }
}
