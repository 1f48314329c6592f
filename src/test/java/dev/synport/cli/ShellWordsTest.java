package dev.synport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void quotesOnlyWordsThatNeedIt() {
        assertThat(ShellWords.command("synapse-port-db", List.of("--sqlite-database", "/srv/my db's.db",
                "--batch-size=500", "--report", "", "$HOME"))).isEqualTo("synapse-port-db --sqlite-database"
                + " '/srv/my db'\\''s.db' --batch-size=500 --report '' '$HOME'");
    }
}
