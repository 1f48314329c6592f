package dev.synport.postgres;

/** A foreign key of the target schema, with its definition as {@code pg_get_constraintdef} gives it. */
public record ForeignKey(String table, String name, String referencedTable, String definition) {
    public boolean selfReferencing() {
        return table.equals(referencedTable);
    }
}
