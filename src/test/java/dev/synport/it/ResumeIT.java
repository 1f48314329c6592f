package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.MidCopy;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reruns change nothing; a port killed mid-table (with indexes deferred) and rerun ends
 * identical to an uninterrupted one: same rows, checkpoints, sequences and indexes.
 */
@ExtendWith(PostgresExtension.class)
class ResumeIT {
    private static final String TEMPLATE = "synapse-v94-empty.db";
    private static final String INIT = "pg-v94-synapse-init.sql";

    @Test
    void secondRunExitsZeroAndChangesNothing(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic(TEMPLATE, 3000, 7);
        Target target = Target.create(pg, "rerun", INIT, dir);
        assertThat(port(sqlite, target, dir, "first", "--batch-size", "700")).isZero();
        DatabaseState first = target.state();
        assertThat(port(sqlite, target, dir, "second", "--batch-size", "700")).isZero();
        assertThat(target.state().differences(first)).isEmpty();
    }

    /** Into a Synapse-prepared target, and into an empty one whose schema the port creates. */
    @ParameterizedTest
    @ValueSource(strings = {"prepared", "empty"})
    void resumesAfterKillMidTableWithoutLossOrDuplicates(String kind, PostgresServer pg, @TempDir Path dir)
            throws Exception {
        String init = kind.equals("prepared") ? INIT : null;
        Path sqlite = Fixtures.synthetic(TEMPLATE, 20000, 3);
        Target reference = Target.create(pg, "resume_reference_" + kind, init, dir);
        assertThat(port(sqlite, reference, dir, "reference")).isZero();

        Target target = Target.create(pg, "resume_killed_" + kind, init, dir);
        Path log = dir.resolve("killed.log");
        Process process = JarRun.start(log, "--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--batch-size", "200", "--jobs", "2", "--defer-indexes-from", "1000",
                "--report", dir.resolve("killed.jsonl").toString());
        boolean midTable = MidCopy.await(target, process);
        assertThat(midTable).as("the port reached the middle of a large table; log:%n%s",
                Files.exists(log) ? Files.readString(log) : "").isTrue();
        process.destroyForcibly().waitFor();
        assertThat(process.exitValue()).as("killed, not finished").isNotZero();

        try (Connection c = target.connect()) {
            assertThat(OfficialParityIT.column(c, "SELECT count(*) FROM port_from_sqlite3_deferred_indexes"))
                    .as("the killed run had deferred some indexes").doesNotContain("0");
        }
        assertThat(port(sqlite, target, dir, "resumed", "--batch-size", "1000")).isZero();
        assertThat(target.state().differences(reference.state())).isEmpty();
        try (Connection c = target.connect()) {
            assertThat(OfficialParityIT.column(c, "SELECT to_regclass('port_from_sqlite3_deferred_indexes')"))
                    .containsExactly((String) null);
        }
    }

    private static int port(Path sqlite, Target target, Path dir, String name, String... extra) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--sqlite-database",
                sqlite.toString(), "--postgres-config", target.config().toString(),
                "--report", dir.resolve(name + ".jsonl").toString()));
        args.addAll(java.util.List.of(extra));
        Path log = dir.resolve(name + ".log");
        int code = JarRun.run(log, args.toArray(String[]::new));
        assertThat(code).as(Files.readString(log)).isZero();
        return code;
    }
}
