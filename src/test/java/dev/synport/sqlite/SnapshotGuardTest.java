package dev.synport.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synport.PortException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SnapshotGuardTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"d9d505f920a163d7, true", "0000000000000000, false", "'', false", "0000000000000001, true",
        "00, false"})
    void aJournalIsHotUnlessEmptyOrZeroed(String hex, boolean hot) {
        assertThat(SnapshotGuard.isHotHeader(HexFormat.of().parseHex(hex))).isEqualTo(hot);
    }

    @Test
    void aJournalLeftBesideTheFileIsRefusedWithTheWayToRecoverIt() throws Exception {
        Path file = Files.write(dir.resolve("homeserver.db"), new byte[4096]);
        Files.write(dir.resolve("homeserver.db-journal"), HexFormat.of().parseHex("d9d505f920a163d700000001"));

        assertThatThrownBy(() -> SnapshotGuard.refuseUnfinished(file)).isInstanceOf(PortException.class)
                .hasMessage("the SQLite database " + file + " has a hot journal (homeserver.db-journal, left by a"
                        + " writer that stopped in the middle of a transaction), so the file holds changes that were"
                        + " never committed: stop Synapse, then roll them back with sqlite3 " + file + " 'PRAGMA"
                        + " quick_check' and port again, or port a snapshot taken with sqlite3 " + file
                        + " \".backup snapshot.db\"");
    }

    @Test
    void anEmptyOrZeroedJournalAndAnUnlockedFileAreAccepted() throws Exception {
        Path file = Files.write(dir.resolve("homeserver.db"), new byte[4096]);
        Files.write(dir.resolve("homeserver.db-journal"), new byte[0]);
        SnapshotGuard.refuseUnfinished(file);
        Files.write(dir.resolve("homeserver.db-journal"), new byte[512]);
        Files.write(dir.resolve("homeserver.db-shm"), new byte[32768]);
        SnapshotGuard.refuseUnfinished(file);
    }
}
