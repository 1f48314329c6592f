package dev.synport.port;

import dev.synport.Identifiers;
import java.sql.Connection;
import java.util.List;

/** COPY straight into the target table. */
final class DirectWriter implements TargetWriter {
    private final String copy;

    DirectWriter(String table, List<ColumnPlan> columns) {
        this.copy = "COPY " + Identifiers.quote(table) + " (" + ColumnPlan.targetList(columns) + ") FROM STDIN";
    }

    @Override
    public void prepare(Connection connection) {
        // nothing to prepare
    }

    @Override
    public String copyStatement() {
        return copy;
    }

    @Override
    public void afterCopy(Connection connection) {
        // the rows are in place
    }
}
