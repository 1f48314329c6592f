package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
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
 * After cut-over Synapse writes to the target; a port run again by mistake (an old snapshot,
 * a forgotten cron job) must refuse instead of emptying tables and winding sequences back.
 */
@ExtendWith(PostgresExtension.class)
class CutOverIT {

    @Test
    void portAfterSynapseWroteToTheTargetIsRefusedAndChangesNothing(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Target target = Target.create(pg, "cut_over", "pg-v72-synapse-init.sql", dir);
        String[] args = {"--sqlite-database", Fixtures.file("synapse-v72-small.db").toString(), "--postgres-config",
            target.config().toString(), "--report", dir.resolve("report.jsonl").toString()};
        assertThat(Cli.run(args).exitCode()).isZero();
        try (Connection c = target.connect(); Statement st = c.createStatement()) {
            // what Synapse does when a user logs in after the cut-over
            st.execute("INSERT INTO access_tokens (id, user_id, device_id, token) VALUES"
                    + " (99999, '@user01:portdb.test', 'NEWDEV', 'new-token')");
            st.execute("INSERT INTO device_lists_stream (stream_id, user_id, device_id) VALUES"
                    + " (100000, '@user01:portdb.test', 'NEWDEV')");
        }
        DatabaseState before;
        try (Connection c = target.connect()) {
            before = DatabaseState.read(c);
        }

        Cli.Result result = Cli.run(args);

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
        assertThat(result.err().lines()).singleElement().asString().startsWith("error: the target is ahead of the"
                + " snapshot: device_lists_stream.stream_id reaches 100000 in PostgreSQL but only");
        try (Connection c = target.connect()) {
            assertThat(DatabaseState.read(c).differences(before)).isEmpty();
        }
    }
}
