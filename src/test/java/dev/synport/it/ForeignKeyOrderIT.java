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
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Foreign keys: refresh tokens point at tokens that come later in rowid order (a token points
 * at its successor), and access tokens point at refresh tokens; everything arrives and the
 * constraints are in place and valid afterwards.
 */
@ExtendWith(PostgresExtension.class)
class ForeignKeyOrderIT {

    @Test
    void selfReferencingRefreshTokensArriveWithTheirConstraintIntact(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        Path sqlite = dir.resolve("tokens.db");
        Files.copy(Fixtures.file("synapse-v72-small.db"), sqlite);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite); Statement st = c.createStatement()) {
            st.execute("PRAGMA foreign_keys = OFF");
            // rowid order: 1 -> 2 -> 3, each token naming the next one, which comes later
            st.execute("INSERT INTO refresh_tokens (id, user_id, device_id, token, next_token_id) VALUES"
                    + " (101, '@user01:portdb.test', 'DEV', 'rt1', 102),"
                    + " (102, '@user01:portdb.test', 'DEV', 'rt2', 103),"
                    + " (103, '@user01:portdb.test', 'DEV', 'rt3', NULL)");
            st.execute("INSERT INTO access_tokens (id, user_id, device_id, token, refresh_token_id) VALUES"
                    + " (9001, '@user01:portdb.test', 'DEV', 'at3', 103)");
        }
        Target target = Target.create(pg, "fk_order", "pg-v72-synapse-init.sql", dir);
        for (int run = 0; run < 2; run++) {
            Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                    target.config().toString(), "--report", dir.resolve("r.jsonl").toString());
            assertThat(result.exitCode()).as(result.toString()).isZero();
        }
        try (Connection c = target.connect()) {
            assertThat(OfficialParityIT.column(c, "SELECT id || '>' || coalesce(next_token_id::text, '-')"
                    + " FROM refresh_tokens ORDER BY id")).containsExactly("101>102", "102>103", "103>-");
            assertThat(OfficialParityIT.column(c, "SELECT refresh_token_id FROM access_tokens WHERE id = 9001"))
                    .containsExactly("103");
            assertThat(OfficialParityIT.column(c, "SELECT conname || ':' || convalidated FROM pg_constraint"
                    + " WHERE conrelid = 'refresh_tokens'::regclass AND contype = 'f'"))
                    .containsExactly("refresh_tokens_next_token_id_fkey:true");
        }
    }
}
