package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.MidCopy;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Only a finished, unchanging snapshot is ported: a hot journal left by a killed writer and a
 * writer inside a transaction are refused before the target is touched; a snapshot that
 * changes during the port fails it, and the rerun on the stable file ends exactly as a full
 * port of it; a page found corrupt mid-copy names its table. The writers are real SQLite
 * clients (Python's sqlite3 module) in processes of their own.
 */
@ExtendWith(PostgresExtension.class)
class SnapshotGuardIT {
    private static final String TEMPLATE = "synapse-v94-empty.db";
    private static final String INIT = "pg-v94-synapse-init.sql";
    /**
     * A writer: sets the journal mode and a tiny page cache (so that a large change spills
     * uncommitted pages into the database file), begins, changes, says "ready", and commits
     * when it reads a line.
     */
    private static final String WRITER = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA journal_mode = " + sys.argv[2])
            c.execute("PRAGMA cache_size = 5")
            c.execute(sys.argv[3])
            c.execute(sys.argv[4])
            print("ready", flush=True)
            sys.stdin.readline()
            c.execute("COMMIT")
            c.close()
            """;

    @TempDir
    Path dir;

    @Test
    void hotJournalOfAKilledWriterIsRefusedUntouchedAndPortsOnceRecovered(PostgresServer pg) throws Exception {
        Path file = copy(Fixtures.synthetic(TEMPLATE, 3000, 7), "hot.db");
        Process writer = writer(file, "DELETE", "BEGIN", "UPDATE event_json SET json = json || ' '");
        writer.destroyForcibly().waitFor();
        Path journal = file.resolveSibling("hot.db-journal");
        assertThat(Files.size(journal)).as("the killed writer left its journal").isPositive();
        Target target = Target.create(pg, "guard_hot", INIT, dir);
        DatabaseState before = target.state();

        Cli.Result refused = port(file, target);

        assertThat(refused.errorLine(5)).isEqualTo("error: the SQLite database " + file + " has a hot journal"
                + " (hot.db-journal, left by a writer that stopped in the middle of a transaction), so the file holds"
                + " changes that were never committed: stop Synapse, then roll them back with sqlite3 " + file
                + " 'PRAGMA quick_check' and port again, or port a snapshot taken with sqlite3 " + file
                + " \".backup snapshot.db\"");
        assertUntouched(target, before);

        Process recovery = new ProcessBuilder("sqlite3", file.toString(), "PRAGMA quick_check").inheritIO().start();
        assertThat(recovery.waitFor()).isZero();
        assertThat(journal).doesNotExist();
        Cli.Result ported = port(file, target);
        assertThat(ported.exitCode()).as(ported.toString()).isZero();
        try (Connection c = target.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE json LIKE '% ')"
                        + " FROM event_json")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(count(file, "event_json"));
            assertThat(rs.getLong(2)).as("no row of the rolled-back transaction").isZero();
        }
    }

    /** In rollback-journal mode the writer holds the file's RESERVED lock; in WAL mode the log's write lock. */
    @ParameterizedTest
    @CsvSource({"DELETE, SQLite's write lock on the file", "WAL, the write lock of its write-ahead log"})
    void writerInsideATransactionIsRefusedUntouchedAndTheSnapshotPortsOnceItCommits(String mode, String lock,
            PostgresServer pg) throws Exception {
        Path file = copy(Fixtures.synthetic(TEMPLATE, 3000, 7), "live.db");
        Process writer = writer(file, mode, "BEGIN IMMEDIATE",
                "INSERT INTO users (name, creation_ts) VALUES ('@late:portdb.test', 1)");
        Target target = Target.create(pg, "guard_live_" + mode.toLowerCase(Locale.ROOT), INIT, dir);
        DatabaseState before = target.state();

        Cli.Result refused = port(file, target);

        assertThat(refused.errorLine(5)).isEqualTo("error: another process is writing to the SQLite database " + file
                + " (it holds " + lock + "): stop Synapse and anything else writing to it, then port again, or port"
                + " a snapshot taken with sqlite3 " + file + " \".backup snapshot.db\"");
        assertUntouched(target, before);

        try (Writer in = new OutputStreamWriter(writer.getOutputStream(), StandardCharsets.UTF_8)) {
            in.write("commit\n");
        }
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.exitValue()).isZero();
        Cli.Result ported = port(file, target);
        assertThat(ported.exitCode()).as(ported.toString()).isZero();
        try (Connection c = target.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM users WHERE name = '@late:portdb.test'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the committed row").isOne();
        }
    }

    /**
     * Mid-copy, the file is replaced by a changed version of itself (rows already copied are
     * changed, rows appended), as a writer's commit would change it; the port fails, and the
     * rerun on the now stable file must copy again what was read from the first state.
     */
    @Test
    void snapshotChangedMidPortFailsAndTheRerunEndsAsAFullPortOfTheStableFile(PostgresServer pg) throws Exception {
        Path file = copy(Fixtures.synthetic(TEMPLATE, 20000, 3), "changing.db");
        long counterBefore = changeCounter(file);
        Target target = Target.create(pg, "guard_changed", INIT, dir);
        Path stdout = dir.resolve("changed.out");
        Path stderr = dir.resolve("changed.err");
        Process port = JarRun.start(List.of(), stdout, stderr, "--sqlite-database", file.toString(),
                "--postgres-config", target.config().toString(), "--batch-size", "200", "--jobs", "2",
                "--report", dir.resolve("changed.jsonl").toString());
        assertThat(MidCopy.await(target, port)).as("the port reached the middle of a large table; output:%n%s",
                Files.readString(stdout)).isTrue();
        Path next = copy(file, "changing.db.next");
        sqlite(next, "UPDATE state_groups_state SET event_id = event_id || '-changed' WHERE rowid <= 500",
                "UPDATE event_json SET json = json || ' ' WHERE rowid <= 500",
                "INSERT INTO state_groups_state (state_group, room_id, type, state_key, event_id) SELECT state_group,"
                        + " room_id, type, state_key || '#2', event_id FROM state_groups_state WHERE rowid <= 300");
        long counterAfter = changeCounter(next);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(port.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(port.exitValue()).as(Files.readString(stdout)).isEqualTo(5);
        assertThat(counterAfter).isNotEqualTo(counterBefore);
        assertThat(Files.readString(stderr)).isEqualTo("error: the SQLite database " + file + " changed while it was"
                + " being ported (its file change counter went from " + counterBefore + " to " + counterAfter + "),"
                + " so the rows read could mix two states of it: stop Synapse or take a stable snapshot with sqlite3 "
                + file + " \".backup snapshot.db\", and port again (a rerun copies again whatever was read from the"
                + " changing file)\n");

        Cli.Result rerun = port(file, target);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        Target reference = Target.create(pg, "guard_changed_reference", INIT, dir);
        Cli.Result full = port(file, reference);
        assertThat(full.exitCode()).as(full.toString()).isZero();
        assertThat(target.state().differences(reference.state())).isEmpty();
    }

    @Test
    void pageFoundCorruptMidCopyNamesItsTable(PostgresServer pg) throws Exception {
        Path file = copy(Fixtures.synthetic(TEMPLATE, 3000, 7), "torn.db");
        corruptRecordInTheMiddleOf(file, "event_json");
        Target target = Target.create(pg, "guard_corrupt", INIT, dir);

        Cli.Result result = port(file, target);

        assertThat(result.errorLine(5)).isEqualTo("error: the SQLite database " + file + " is corrupt (the database"
                + " disk image is malformed) in table event_json; check it with sqlite3 and 'PRAGMA"
                + " integrity_check', then take a new snapshot from a healthy copy");
    }

    /** Starts {@link #WRITER} and waits until it is inside its transaction. */
    private Process writer(Path file, String mode, String begin, String change) throws Exception {
        Process writer = new ProcessBuilder("python3", "-c", WRITER, file.toString(), mode, begin, change)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the writer began its transaction").isEqualTo("ready");
        return writer;
    }

    /**
     * Makes the record header of the first row on a leaf page half way through {@code table}
     * claim more bytes than the row holds: SQLite reports that row as corrupt when it is read,
     * while counting the table's rows (which reads no record) still works.
     */
    private static void corruptRecordInTheMiddleOf(Path file, String table) throws Exception {
        long page = leafPageInTheMiddle(file, table);
        int pageSize;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA page_size")) {
            rs.next();
            pageSize = rs.getInt(1);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] bytes = new byte[pageSize];
            raf.seek((page - 1) * pageSize);
            raf.readFully(bytes);
            assertThat(bytes[0]).as("a table leaf page").isEqualTo((byte) 0x0d);
            int cell = ByteBuffer.wrap(bytes).getShort(8) & 0xffff;
            int record = skipVarint(bytes, skipVarint(bytes, cell)); // the payload size, then the rowid
            raf.seek((page - 1) * pageSize + record);
            raf.write(new byte[] {(byte) 0x9f, 0x7f}); // a header of 4,095 bytes
        }
    }

    /** A leaf page of {@code table} half way through it, from SQLite's dbstat table (of the sqlite3 CLI). */
    private static long leafPageInTheMiddle(Path file, String table) throws Exception {
        Process p = new ProcessBuilder("sqlite3", file.toString(), "SELECT pageno FROM dbstat WHERE name = '" + table
                + "' AND pagetype = 'leaf' ORDER BY path LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = '"
                + table + "' AND pagetype = 'leaf')").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        return Long.parseLong(out);
    }

    private static int skipVarint(byte[] bytes, int at) {
        int i = at;
        while ((bytes[i] & 0x80) != 0 && i - at < 8) {
            i++;
        }
        return i + 1;
    }

    private Path copy(Path from, String name) throws Exception {
        return Files.copy(from, dir.resolve(name));
    }

    private static long changeCounter(Path file) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(24);
            return raf.readInt() & 0xffffffffL;
        }
    }

    private static long count(Path file, String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sqlite(Path file, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String sql : statements) {
                st.execute(sql);
            }
            c.commit();
        }
    }

    private Cli.Result port(Path file, Target target) {
        return Cli.run("--sqlite-database", file.toString(), "--postgres-config", target.config().toString(),
                "--report", dir.resolve(target.database() + ".jsonl").toString(), "--log-file",
                dir.resolve(target.database() + ".log").toString());
    }

    private static void assertUntouched(Target target, DatabaseState before) throws Exception {
        assertThat(target.state().differences(before)).isEmpty();
        assertThat(target.hasTrackingTable()).isFalse();
    }
}
