package dev.synport.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored records of a rowid range hash alike in two files exactly when the rows there are the same. */
class RecordHashTest {
    private static final List<RecordHash.Range> FIRST_THOUSAND = List.of(new RecordHash.Range(1, 1000));

    @TempDir
    Path dir;
    private Path original;

    /** A table deep enough for interior pages, with records long enough to overflow their page. */
    @BeforeEach
    void create() throws SQLException {
        original = dir.resolve("original.db");
        try (Connection c = open(original); Statement st = c.createStatement()) {
            st.execute("PRAGMA page_size = 1024");
            st.execute("CREATE TABLE events (stream_ordering INTEGER PRIMARY KEY, event_id TEXT, json TEXT)");
            st.execute("CREATE TABLE edges (event_id TEXT, prev_id TEXT)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?)");
                    PreparedStatement edges = c.prepareStatement("INSERT INTO edges VALUES (?, ?)")) {
                for (int i = 1; i <= 1500; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "$event" + i);
                    ps.setString(3, "{\"body\": \"" + "x".repeat(i % 7 == 0 ? 5000 : 40) + "\"}");
                    ps.addBatch();
                    edges.setString(1, "$event" + i);
                    edges.setString(2, "$event" + (i - 1));
                    edges.addBatch();
                }
                ps.executeBatch();
                edges.executeBatch();
            }
            c.commit();
        }
    }

    @Test
    void sameRowsHashAlikeWhereverTheirPagesLie() throws Exception {
        Path vacuumed = dir.resolve("vacuumed.db");
        try (Connection c = open(original); Statement st = c.createStatement()) {
            st.execute("VACUUM INTO '" + vacuumed + "'");
        }
        try (Connection c = open(vacuumed); Statement st = c.createStatement()) {
            st.execute("PRAGMA page_size = 4096");
            st.execute("VACUUM"); // other pages, other page size
        }
        OptionalLong before = hash(original, "events", FIRST_THOUSAND);
        assertThat(before).isPresent();
        assertThat(hash(vacuumed, "events", FIRST_THOUSAND)).isEqualTo(before);
    }

    @Test
    void rowsAddedBeyondTheRangeLeaveItsHash() throws Exception {
        OptionalLong before = hash(original, "events", FIRST_THOUSAND);
        Path grown = copyWith("INSERT INTO events SELECT stream_ordering + 1500, event_id, json FROM events");
        assertThat(hash(grown, "events", FIRST_THOUSAND)).isEqualTo(before);
        assertThat(hash(grown, "events", List.of(new RecordHash.Range(1, 3000))))
                .isNotEqualTo(hash(original, "events", List.of(new RecordHash.Range(1, 3000))));
    }

    @Test
    void theHashOfDisjointRangesIsTheSumOfTheirs() throws Exception {
        long whole = hash(original, "events", FIRST_THOUSAND).orElseThrow();
        long first = hash(original, "events", List.of(new RecordHash.Range(1, 600))).orElseThrow();
        long rest = hash(original, "events", List.of(new RecordHash.Range(601, 1000))).orElseThrow();
        assertThat(first + rest).isEqualTo(whole);
        assertThat(hash(original, "events", List.of(new RecordHash.Range(1, 600), new RecordHash.Range(601, 1000))))
                .hasValue(whole);
        assertThat(first).isNotEqualTo(rest);
    }

    @Test
    void aChangedDeletedOrOverflowingRowInTheRangeChangesIt() throws Exception {
        OptionalLong before = hash(original, "events", FIRST_THOUSAND);
        for (String change : List.of("UPDATE events SET json = '{}' WHERE stream_ordering = 500",
                "DELETE FROM events WHERE stream_ordering = 1000",
                "UPDATE events SET json = substr(json, 1, 4000) || 'y' || substr(json, 4002)"
                        + " WHERE stream_ordering = 700",
                "UPDATE events SET event_id = '$EVENT1' WHERE stream_ordering = 1")) {
            assertThat(hash(copyWith(change), "events", FIRST_THOUSAND)).as(change).isPresent().isNotEqualTo(before);
        }
    }

    @Test
    void tablesWithoutIntegerKeysAndSeveralRangesToo() throws Exception {
        List<RecordHash.Range> ranges = List.of(new RecordHash.Range(-5, 0), new RecordHash.Range(10, 1200));
        OptionalLong before = hash(original, "edges", ranges);
        assertThat(before).isPresent();
        assertThat(hash(copyWith("DELETE FROM edges WHERE rowid = 5"), "edges", ranges)).isEqualTo(before);
        assertThat(hash(copyWith("DELETE FROM edges WHERE rowid = 11"), "edges", ranges)).isNotEqualTo(before);
    }

    @Test
    void anIndexIsNoRowidTable() throws Exception {
        try (Connection c = open(original); Statement st = c.createStatement()) {
            st.execute("CREATE INDEX edges_prev ON edges (prev_id)");
        }
        assertThat(hash(original, "edges_prev", FIRST_THOUSAND)).isEmpty();
    }

    @Test
    void aSnapshotIsReadFromItsFileOnlyWhenNoLogHoldsPages() throws Exception {
        try (Connection c = open(original); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("PRAGMA wal_autocheckpoint = 0");
            st.execute("DELETE FROM events WHERE stream_ordering = 1"); // in the log only
            try (Snapshot snapshot = Snapshot.locate(original, message -> { })) {
                assertThat(snapshot.recordFile()).isEmpty();
            }
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            try (Snapshot snapshot = Snapshot.locate(original, message -> { })) {
                assertThat(snapshot.recordFile()).contains(original.toAbsolutePath().normalize());
            }
        }
    }

    private Path copyWith(String change) throws Exception {
        Path copy = Files.createTempFile(dir, "changed", ".db");
        Files.copy(original, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = open(copy); Statement st = c.createStatement()) {
            st.execute(change);
        }
        return copy;
    }

    private static OptionalLong hash(Path file, String name, List<RecordHash.Range> ranges) throws Exception {
        long root;
        try (Connection c = open(file); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT rootpage FROM sqlite_master WHERE name = '" + name + "'")) {
            rs.next();
            root = rs.getLong(1);
        }
        return RecordHash.of(file, root, ranges);
    }

    private static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
