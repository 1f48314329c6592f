package dev.synport.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFingerprintTest {
    @TempDir
    Path dir;

    @Test
    void readsTheChangeCounterAndPageCountAsUnsignedBigEndianNumbers() throws Exception {
        Path file = dir.resolve("header.db");
        Files.write(file, header(0xfffffffeL, 0x01020304L));

        SnapshotFingerprint fingerprint = SnapshotFingerprint.read(file);

        assertThat(fingerprint.changeCounter()).isEqualTo(4294967294L);
        assertThat(fingerprint.pageCount()).isEqualTo(16909060L);
        assertThat(fingerprint.size()).isEqualTo(100);
        assertThat(fingerprint.wal()).isEqualTo(SnapshotFingerprint.Wal.NONE);
    }

    @Test
    void aFileNobodyWritesToKeepsItsFingerprint() throws Exception {
        Path file = database("still.db", "DELETE");

        assertThat(SnapshotFingerprint.read(file)).isEqualTo(SnapshotFingerprint.read(file));
        assertThat(SnapshotFingerprint.read(file).changeTo(SnapshotFingerprint.read(file))).isEmpty();
    }

    @Test
    void aCommitInRollbackJournalModeMovesTheChangeCounterOn() throws Exception {
        Path file = database("commit.db", "DELETE");
        SnapshotFingerprint before = SnapshotFingerprint.read(file);
        sql(file, "INSERT INTO t VALUES (2)");

        SnapshotFingerprint after = SnapshotFingerprint.read(file);

        assertThat(after.changeCounter()).isEqualTo(before.changeCounter() + 1);
        assertThat(before.changeTo(after)).contains("its file change counter went from " + before.changeCounter()
                + " to " + (before.changeCounter() + 1));
        assertThat(after.id()).isNotEqualTo(before.id());
    }

    @Test
    void aFileReplacedByACopyOfItselfIsAChange() throws Exception {
        Path file = database("replaced.db", "DELETE");
        SnapshotFingerprint before = SnapshotFingerprint.read(file);
        Path copy = Files.copy(file, dir.resolve("replaced.db.new"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(before.changeTo(SnapshotFingerprint.read(file))).contains("it was replaced by another file");
    }

    @Test
    void readsTheWriteAheadLogsCheckpointSequenceAndSalts() throws Exception {
        Path file = database("wal.db", "DELETE");
        SnapshotFingerprint before = SnapshotFingerprint.read(file);
        ByteBuffer wal = ByteBuffer.allocate(32);
        wal.putInt(0, 0x377f0682).putInt(12, 7).putInt(16, 0x80000001).putInt(20, 42);
        Files.write(PrivateCopy.sibling(file, "-wal"), wal.array());

        SnapshotFingerprint after = SnapshotFingerprint.read(file);

        assertThat(after.wal()).isEqualTo(new SnapshotFingerprint.Wal(32, after.wal().modifiedNanos(), 7,
                2147483649L, 42));
        assertThat(before.changeTo(after)).contains("a write-ahead log appeared beside it");
        wal.putInt(20, 43);
        Files.write(PrivateCopy.sibling(file, "-wal"), wal.array());
        assertThat(after.changeTo(SnapshotFingerprint.read(file))).contains("its write-ahead log changed (32 to 32"
                + " bytes)");
    }

    @Test
    void readingWithoutOpeningTheFileKeepsTheEarlierHeaderAndSeesTheLogGrow() throws Exception {
        Path file = database("stat.db", "WAL");
        SnapshotFingerprint before = SnapshotFingerprint.read(file);
        Files.write(file.resolveSibling("stat.db-wal"), new byte[64]);

        SnapshotFingerprint after = SnapshotFingerprint.statOnly(file, new SnapshotFingerprint(99, 98,
                before.size(), before.modifiedNanos(), before.fileKey(), before.wal()));

        assertThat(after.changeCounter()).isEqualTo(99);
        assertThat(after.pageCount()).isEqualTo(98);
        assertThat(after.wal().size()).isEqualTo(64);
    }

    private static byte[] header(long counter, long pages) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.putInt(24, (int) counter).putInt(28, (int) pages);
        return b.array();
    }

    private Path database(String name, String journalMode) throws Exception {
        Path file = dir.resolve(name);
        sql(file, "PRAGMA journal_mode = " + journalMode, "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)");
        return file;
    }

    private static void sql(Path file, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }
}
