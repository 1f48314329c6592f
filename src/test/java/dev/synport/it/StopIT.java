package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.MidCopy;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SummarySchema;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C (SIGINT) and SIGTERM stop the real program after its current batch: exit 130, what
 * was kept and the command that continues are printed, and that command ends the port exactly
 * as an uninterrupted one.
 */
@ExtendWith(PostgresExtension.class)
class StopIT {
    private static final String INIT = "pg-v94-synapse-init.sql";

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalStopsAfterTheBatchAndTheContinueCommandFinishesThePort(String signal, PostgresServer pg,
            @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 20000, 3);
        Target reference = Target.create(pg, "stop_reference_" + signal.toLowerCase(), INIT, dir);
        Path referenceJson = dir.resolve("reference.json");
        assertThat(run(dir.resolve("reference.log"), args(sqlite, reference, dir, "reference", referenceJson)))
                .isZero();
        assertThat(SummarySchema.errors(Files.readString(referenceJson))).isEmpty();

        Target target = Target.create(pg, "stop_" + signal.toLowerCase(), INIT, dir);
        Path json = dir.resolve("stopped.json");
        List<String> args = args(sqlite, target, dir, "stopped", json);
        Path log = dir.resolve("stopped.log");
        Process process = JarRun.start(log, args.toArray(String[]::new));
        boolean midTable = MidCopy.await(target, process);
        assertThat(midTable).as("the port reached the middle of a large table; log:%n%s", Files.readString(log))
                .isTrue();
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor())
                .isZero();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isEqualTo(130);
        assertThat(output).contains("Stopping after the current batch (what is committed stays)...")
                .containsPattern("Stopped at your request after \\S+: [\\d,]+ tables? of \\d+ complete, [\\d,]+ rows?"
                        + " committed this run; they stay in PostgreSQL with their checkpoints\\.")
                .contains("To continue, run:\n  synapse-port-db " + String.join(" ", args) + "\n")
                .doesNotContain("error:", "Exception");
        String summary = Files.readString(json);
        assertThat(SummarySchema.errors(summary)).as(summary).isEmpty();
        assertThat(summary).contains("\"status\": \"interrupted\"", "\"exit_code\": 130", "\"state\": \"partial\"");

        Path resumedLog = dir.resolve("resumed.log");
        assertThat(run(resumedLog, args)).isZero();
        assertThat(Files.readString(resumedLog)).containsPattern("Resuming an earlier port: [\\d,]+ tables? complete,"
                + " .* [\\d,]+ rows? already in PostgreSQL");
        assertThat(target.state().differences(reference.state())).isEmpty();
    }

    private static List<String> args(Path sqlite, Target target, Path dir, String name, Path json) {
        return new ArrayList<>(List.of("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--batch-size", "200", "--jobs", "2", "--report",
                dir.resolve(name + ".jsonl").toString(), "--summary-json", json.toString()));
    }

    private static int run(Path log, List<String> args) throws Exception {
        int code = JarRun.run(log, args.toArray(String[]::new));
        assertThat(code).as(Files.readString(log)).isZero();
        return code;
    }
}
