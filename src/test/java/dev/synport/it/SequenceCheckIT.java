package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * After the copy every sequence is checked as Synapse checks it at start-up; a sequence behind
 * its table fails the run with an error that names it. Here the table feeding
 * cache_invalidation_stream_seq exists only in PostgreSQL and holds a value the sequence never
 * handed out.
 */
@ExtendWith(PostgresExtension.class)
class SequenceCheckIT {

    @Test
    void sequenceBehindItsTableFailsTheRunNamingIt(PostgresServer pg, @TempDir Path dir) throws Exception {
        Target target = Target.create(pg, "sequence_check", "pg-v72-synapse-init.sql", dir);
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO cache_invalidation_stream_by_instance (stream_id, instance_name, cache_func, keys,"
                    + " invalidation_ts) VALUES (5000, 'master', 'f', '{}', 0)");
        }
        Cli.Result result = Cli.run("--sqlite-database", Fixtures.file("synapse-v72-empty.db").toString(),
                "--postgres-config", target.config().toString(), "--report", dir.resolve("r.jsonl").toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
        assertThat(result.err().lines()).singleElement().asString()
                .startsWith("error: sequence check failed, Synapse would refuse to start: cache_invalidation_stream_seq")
                .contains("cache_invalidation_stream_by_instance.stream_id holds 5000");
    }
}
