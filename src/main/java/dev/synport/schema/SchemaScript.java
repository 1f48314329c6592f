package dev.synport.schema;

import java.util.List;

/**
 * The statements that give an empty PostgreSQL database Synapse's schema, in two parts so
 * that data can be loaded in between: {@code beforeData} (tables, sequences, functions,
 * triggers, Synapse's bookkeeping rows) and {@code afterData} (primary keys, unique
 * constraints, indexes, foreign keys).
 */
public record SchemaScript(int schemaVersion, List<String> beforeData, List<String> afterData) {
    public SchemaScript {
        beforeData = List.copyOf(beforeData);
        afterData = List.copyOf(afterData);
    }
}
