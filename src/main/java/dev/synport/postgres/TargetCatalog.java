package dev.synport.postgres;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The target database as its catalogue describes it, read once before the port.
 *
 * @param schemaVersion Synapse's {@code schema_version.version}, empty when the target holds no Synapse schema
 */
public record TargetCatalog(
        String serverVersion,
        String encoding,
        String collate,
        String ctype,
        String schema,
        Map<String, TargetTable> tables,
        List<ForeignKey> foreignKeys,
        Set<String> sequences,
        OptionalInt schemaVersion) {

    public TargetCatalog {
        tables = Map.copyOf(tables);
        foreignKeys = List.copyOf(foreignKeys);
        sequences = Set.copyOf(sequences);
    }

    /** No tables and no sequences: a database this tool may create Synapse's schema in. */
    public boolean isEmpty() {
        return tables.isEmpty() && sequences.isEmpty();
    }

    public Optional<TargetTable> table(String name) {
        return Optional.ofNullable(tables.get(name));
    }
}
