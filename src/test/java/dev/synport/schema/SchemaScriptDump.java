package dev.synport.schema;

import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotDdlReader;
import java.nio.file.Files;
import java.nio.file.Path;

/** Development aid: writes the schema script for a snapshot to two files. */
final class SchemaScriptDump {
    private SchemaScriptDump() {}

    public static void main(String[] args) throws Exception {
        SchemaScript script = new SchemaBuilder(PostgresKnowledge.load())
                .build(new SnapshotDdlReader(Snapshot.locate(Path.of(args[0]))).read());
        Files.writeString(Path.of(args[1] + ".before.sql"), String.join(";\n", script.beforeData()) + ";\n");
        Files.writeString(Path.of(args[1] + ".after.sql"), String.join(";\n", script.afterData()) + ";\n");
    }
}
