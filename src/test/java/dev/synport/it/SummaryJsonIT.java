package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SummarySchema;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code --summary-json} of real runs, finished and failed, against docs/summary.schema.json. */
@ExtendWith(PostgresExtension.class)
class SummaryJsonIT {
    private static final Path SAMPLE = Fixtures.file("synapse-v72-small.db");

    @Test
    void aFinishedPortWritesASummaryThatFollowsTheSchema(PostgresServer pg, @TempDir Path dir) throws Exception {
        Target target = Target.create(pg, "summary_ok", null, dir);
        Path json = dir.resolve("summary.json");
        Cli.Result result = Cli.run("--sqlite-database", SAMPLE.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("r.jsonl").toString(), "--summary-json",
                json.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();

        String text = Files.readString(json);
        assertThat(SummarySchema.errors(text)).as(text).isEmpty();
        long events;
        try (Connection c = target.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM events")) {
            rs.next();
            events = rs.getLong(1);
        }
        assertThat(events).isEqualTo(3355);
        assertThat(text).contains("\"status\": \"ok\"", "\"exit_code\": 0", "\"error\": null", "\"report\": null",
                "{\"name\": \"events\", \"state\": \"complete\", \"rows_before\": 0, \"rows_planned\": 3355,"
                        + " \"rows_read\": 3355, \"rows_written\": 3355, \"values_repaired\": 0, \"rows_rejected\": 0,"
                        + " \"seconds\": ",
                "\"events_stream_seq\": ");
        assertThat(text).doesNotContain("\"partial\"", "\"not_started\"");
        assertThat(result.out()).containsPattern("Port finished in \\S+: \\d+ tables, [\\d,]+ rows copied this run,"
                + " \\d+ sequences set\\.");

        // a rerun counts the rows behind each checkpoint from the digest of this snapshot state
        Cli.Result rerun = Cli.run("--sqlite-database", SAMPLE.toString(), "--postgres-config",
                target.config().toString(), "--summary-json", json.toString());
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(Files.readString(json)).contains("{\"name\": \"events\", \"state\": \"complete\","
                + " \"rows_before\": 3355, \"rows_planned\": 0, \"rows_read\": 0, \"rows_written\": 0,");
    }

    @Test
    void aFailedPortWritesItsErrorAndExitCode(PostgresServer pg, @TempDir Path dir) throws Exception {
        Target target = Target.create(pg, "summary_failed", null, dir);
        Files.writeString(target.config(), Files.readString(target.config()).replace("database: summary_failed",
                "database: summary_no_such_database"));
        Path json = dir.resolve("summary.json");
        Cli.Result result = Cli.run("--sqlite-database", SAMPLE.toString(), "--postgres-config",
                target.config().toString(), "--summary-json", json.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);

        String text = Files.readString(json);
        assertThat(SummarySchema.errors(text)).as(text).isEmpty();
        String error = result.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow()
                .substring("error: ".length());
        assertThat(text).contains("\"status\": \"failed\"", "\"exit_code\": 5",
                "\"error\": \"" + error.replace("\\", "\\\\").replace("\"", "\\\"") + "\"", "\"tables\": [],");
    }

    @Test
    void anUnwritableSummaryPathIsRefusedBeforeTheTargetIsTouched(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Target target = Target.create(pg, "summary_badpath", null, dir);
        Path json = dir.resolve("missing").resolve("summary.json");
        Cli.Result result = Cli.run("--sqlite-database", SAMPLE.toString(), "--postgres-config",
                target.config().toString(), "--summary-json", json.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --summary-json " + json + ": cannot write there (no directory "
                + json.getParent() + ")" + System.lineSeparator());
        try (Connection c = target.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")) {
            rs.next();
            assertThat(rs.getInt(1)).as("relations created in the target").isZero();
        }
    }
}
