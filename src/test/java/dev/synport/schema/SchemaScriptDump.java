package dev.synport.schema;

import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotDdl;
import dev.synport.sqlite.SnapshotDdlReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Development aid: writes the schema script for a snapshot to {@code PREFIX.before.sql} and
 * {@code PREFIX.after.sql}; with {@code --bare}, the translation without any fact (what
 * scripts/derive-postgres-facts.py compares with the references).
 * Arguments: {@code SNAPSHOT PREFIX [--bare]}.
 */
final class SchemaScriptDump {
    private SchemaScriptDump() {}

    public static void main(String[] args) throws Exception {
        SnapshotDdl ddl;
        try (Snapshot snapshot = Snapshot.locate(Path.of(args[0]), System.err::println)) {
            ddl = new SnapshotDdlReader(snapshot).read();
        }
        PostgresKnowledge knowledge = args.length > 2 && args[2].equals("--bare")
                ? PostgresKnowledge.bare(java.util.List.of(ddl.schemaVersion())) : PostgresKnowledge.load();
        SchemaScript script = new SchemaBuilder(knowledge).build(ddl);
        Files.writeString(Path.of(args[1] + ".before.sql"), String.join(";\n", script.beforeData()) + ";\n");
        Files.writeString(Path.of(args[1] + ".after.sql"), String.join(";\n", script.afterData()) + ";\n");
    }
}
