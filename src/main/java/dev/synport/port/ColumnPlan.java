package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.postgres.ColumnKind;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One copied column: read as {@code sourceExpression} from SQLite, written to
 * {@code targetName} as {@code kind}.
 *
 * @param sourceName the column's name in the snapshot, for the report
 * @param userIdFill when the value is NULL, a full user id built from another column of the row
 */
public record ColumnPlan(String sourceName, String sourceExpression, String targetName, ColumnKind kind,
        Optional<UserIdFill> userIdFill) {

    public ColumnPlan(String sourceName, String sourceExpression, String targetName, ColumnKind kind) {
        this(sourceName, sourceExpression, targetName, kind, Optional.empty());
    }

    /** The columns' target names, quoted, comma-separated: a column list for SQL. */
    public static String targetList(List<ColumnPlan> columns) {
        return columns.stream().map(c -> Identifiers.quote(c.targetName())).collect(Collectors.joining(", "));
    }

    /**
     * Synapse fills some columns from the localpart in another column of the same row
     * ({@code @localpart:server_name}) with background updates; a snapshot whose rows missed
     * them gets the same value here.
     *
     * @param localpartColumn index (among the planned columns) of the column holding the localpart
     */
    public record UserIdFill(int localpartColumn, String localpartName, String serverName) {}
}
