package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.schema.PostgresKnowledge;
import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Synapse reads a sequence's {@code last_value} (and hands out {@code nextval}), so a port of
 * an empty snapshot must leave every sequence exactly as Synapse initialises it
 * ({@code last_value} and {@code is_called}, e.g. {@code cache_invalidation_stream_seq} at
 * {@code 1, true} from schema 84 on), whether the port created the schema in an empty target
 * or found it prepared by Synapse; for every schema version the tool can create.
 */
@ExtendWith(PostgresExtension.class)
class SequenceStateIT {

    static Stream<Integer> versions() {
        return PostgresKnowledge.load().supportedVersions().stream();
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void emptySnapshotLeavesEverySequenceAsSynapseInitialisesIt(int version, PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Map<String, String> synapse;
        try (Connection c = Target.create(pg, "seq_init_v" + version, "pg-v" + version + "-synapse-init.sql", dir)
                .connect()) {
            synapse = DatabaseState.sequenceStates(c);
        }
        assertThat(synapse).as("sequences in pg-v%d-synapse-init.sql", version).isNotEmpty();
        Path snapshot = Fixtures.file("synapse-v" + version + "-empty.db");
        for (String init : new String[] {null, "pg-v" + version + "-synapse-init.sql"}) {
            Target target = Target.create(pg, "seq_" + (init == null ? "empty" : "prepared") + "_v" + version, init,
                    dir);
            Cli.Result result = Cli.run("--sqlite-database", snapshot.toString(), "--postgres-config",
                    target.config().toString(), "--log-file", dir.resolve("port.log").toString());
            assertThat(result.exitCode()).as(result.toString()).isZero();
            try (Connection c = target.connect()) {
                assertThat(DatabaseState.sequenceStates(c))
                        .as("sequences after porting into %s target", init == null ? "an empty" : "a prepared")
                        .containsExactlyInAnyOrderEntriesOf(synapse);
            }
        }
    }
}
