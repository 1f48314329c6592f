package dev.synport.postgres;

/**
 * A column of a target table.
 *
 * @param identity an identity column ({@code GENERATED ... AS IDENTITY})
 * @param generated a generated column, which cannot be written
 */
public record TargetColumn(String name, String dataType, ColumnKind kind, boolean nullable, boolean hasDefault,
        boolean identity, boolean generated) {}
