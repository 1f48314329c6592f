package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A row PostgreSQL refuses (here: a CHECK constraint the snapshot's data breaks) costs only
 * that row and the rows whose foreign keys need it: its batch is retried row by row, each
 * refused row is rejected and reported with PostgreSQL's reason, every other row arrives.
 */
@ExtendWith(PostgresExtension.class)
class RejectedRowIT {

    /** With large batches PostgreSQL reports the refusal while rows are still being streamed. */
    @ParameterizedTest
    @ValueSource(strings = {"500", "10000"})
    void refusedRowIsRejectedAloneAndReported(String batchSize, PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Target target = Target.create(pg, "rejected_row_" + batchSize, "pg-v72-synapse-init.sql", dir);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE events ADD CONSTRAINT test_refuses_one_event CHECK (stream_ordering <> 100)");
        }
        Path report = dir.resolve("report.jsonl");
        Cli.Result result = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(),
                "--postgres-config", target.config().toString(), "--report", report.toString(),
                "--batch-size", batchSize);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        // the event, and the edge that references it (its foreign key now has nothing to point at)
        assertThat(result.out()).contains("0 values repaired and 2 rows rejected: see " + report.toAbsolutePath());
        List<String> lines = Files.readAllLines(report);
        assertThat(lines).hasSize(2);
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"table\":\"events\"", "\"action\":\"rejected\"", "test_refuses_one_event"));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"table\":\"event_edges\"", "\"action\":\"rejected\"", "event_edges_event_id_fkey"));
        try (Connection c = target.connect()) {
            assertThat(CurrentSchemaIT.count(c, "events")).isEqualTo(3354);
            assertThat(OfficialParityIT.column(c, "SELECT forward_rowid FROM port_from_sqlite3 WHERE table_name = 'events'"))
                    .containsExactly("3357"); // the largest rowid of events in the fixture is 3356
        }
    }
}
