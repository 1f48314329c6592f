package dev.synport.port;

import dev.synport.postgres.ColumnKind;

/**
 * One copied column: read as {@code sourceExpression} from SQLite, written to
 * {@code targetName} as {@code kind}.
 *
 * @param sourceName the column's name in the snapshot, for the report
 */
public record ColumnPlan(String sourceName, String sourceExpression, String targetName, ColumnKind kind) {}
