package dev.synport.sqlite;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * A Synapse SQLite snapshot on disk, opened strictly read-only. Never creates the file,
 * never writes to it: without a write-ahead log beside it the file is opened immutable (no
 * locks, no journal, no {@code -shm}); with a non-empty {@code -wal} beside it, read-only
 * mode so that the committed transactions in the log are seen. Each caller owns the
 * connections it opens. In that second mode the snapshot also holds one connection of its
 * own from the first {@link #open()} to {@link #close()}, and opens connections one at a
 * time: the readers' connections then never open or close the log's shared index while
 * another connection is doing the same, nor ever as its last user. When that index cannot be
 * written beside the snapshot (a read-only directory), the snapshot and its log are read from
 * a {@link PrivateCopy}, deleted at {@link #close()}.
 */
public final class Snapshot implements AutoCloseable {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final boolean immutable;
    private final PrivateCopy copy;
    private final SnapshotFingerprint fingerprint;
    private Connection keeper;

    private Snapshot(Path file, boolean immutable, PrivateCopy copy, SnapshotFingerprint fingerprint) {
        this.file = file;
        this.immutable = immutable;
        this.copy = copy;
        this.fingerprint = fingerprint;
    }

    /**
     * Checks that the path is an existing SQLite file that no process is writing to and no
     * crashed writer left unfinished ({@link SnapshotGuard}), and takes its fingerprint; does
     * not open a connection yet. A snapshot whose pending log cannot be read in place is copied
     * first ({@link PrivateCopy}); {@code notice} hears about that.
     */
    public static Snapshot locate(Path path, Consumer<String> notice) {
        Path file = path.toAbsolutePath().normalize();
        if (!Files.exists(file) && !Files.notExists(file)) {
            throw permissionDenied(path, null); // neither: a directory above it may not be searched
        }
        if (!Files.exists(file)) {
            throw new PortException(FailureReason.SQLITE_MISSING,
                    "the SQLite database " + path + " does not exist; check the --sqlite-database path");
        }
        if (!Files.isRegularFile(file)) {
            throw new PortException(FailureReason.SQLITE_MISSING,
                    "the SQLite database " + path + " is " + (Files.isDirectory(file) ? "a directory" : "not a regular file")
                            + "; give the path of the homeserver's .db file with --sqlite-database");
        }
        byte[] header = new byte[MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            int read = in.readNBytes(header, 0, header.length);
            if (read < header.length || !Arrays.equals(header, MAGIC)) {
                throw new PortException(FailureReason.PORT_FAILED,
                        path + " is not a SQLite database (its header is not 'SQLite format 3');"
                                + " check the --sqlite-database path");
            }
        } catch (AccessDeniedException e) {
            throw permissionDenied(path, e);
        } catch (IOException e) {
            throw new PortException(FailureReason.SQLITE_MISSING,
                    "cannot read the SQLite database " + path + ": " + e.getMessage(), e);
        }
        SnapshotGuard.refuseUnfinished(file);
        SnapshotFingerprint fingerprint;
        try {
            fingerprint = SnapshotFingerprint.read(file);
        } catch (IOException e) {
            throw new PortException(FailureReason.SQLITE_MISSING, "cannot read the SQLite database " + path + ": "
                    + e.getMessage(), e);
        }
        Path wal = PrivateCopy.sibling(file, "-wal");
        boolean walPending;
        try {
            walPending = Files.exists(wal) && Files.size(wal) > 0;
        } catch (IOException e) {
            walPending = true;
        }
        if (walPending && PrivateCopy.needed(file)) {
            Path tempRoot = Path.of(System.getProperty("java.io.tmpdir"));
            Snapshot copied = new Snapshot(file, false, PrivateCopy.make(file, tempRoot, notice), fingerprint);
            try {
                copied.checkUnchanged(); // a copy made while the file changed is torn
            } catch (PortException e) {
                copied.close();
                throw e;
            }
            return copied;
        }
        return new Snapshot(file, !walPending, null, fingerprint);
    }

    private static PortException permissionDenied(Path path, AccessDeniedException e) {
        return new PortException(FailureReason.SQLITE_MISSING, "cannot read the SQLite database " + path
                + ": permission denied; run the port as a user who may read it (e.g. the one Synapse runs as)", e);
    }

    public Path file() {
        return file;
    }

    /**
     * The file to read the snapshot's pages from directly ({@link RecordHash}): the database
     * file itself, unless a write-ahead log holds pages of it (then only SQLite reads it right).
     */
    public Optional<Path> recordFile() {
        return copy == null && immutable ? Optional.of(file) : Optional.empty();
    }

    /** The snapshot's state when it was located; every read of the port must come from it. */
    public SnapshotFingerprint fingerprint() {
        return fingerprint;
    }

    /**
     * Throws the port's error unless the file (and its log) are still as they were located:
     * rows read since could come from two states of the database.
     */
    public void checkUnchanged() {
        Optional<PortException> change = change();
        if (change.isPresent()) {
            throw change.get();
        }
    }

    /** The error saying how the file changed since it was located, if it did. */
    private Optional<PortException> change() {
        SnapshotFingerprint now;
        try {
            // read with its log in place, SQLite holds locks on the file, which opening it here would drop
            now = immutable || copy != null ? SnapshotFingerprint.read(file) : SnapshotFingerprint.statOnly(file,
                    fingerprint);
        } catch (NoSuchFileException e) {
            return Optional.of(changed("it was deleted or moved", e));
        } catch (IOException e) {
            return Optional.of(changed("it can no longer be read: " + e.getMessage(), e));
        }
        return fingerprint.changeTo(now).map(what -> changed(what, null));
    }

    private PortException changed(String what, Exception cause) {
        return new PortException(FailureReason.PORT_FAILED, "the SQLite database " + file + " changed while it was"
                + " being ported (" + what + "), so the rows read could mix two states of it: stop Synapse or take a"
                + " stable snapshot with sqlite3 " + file + " \".backup snapshot.db\", and port again (a rerun"
                + " copies again whatever was read from the changing file)", cause);
    }

    /**
     * The snapshot's part in a failed read of {@code table} during its copy: the file changed
     * under the reader (the likeliest cause of any read error then), or it is corrupt; empty
     * when neither, the error is the target's or the copy's.
     */
    public Optional<PortException> readFailureIn(String table, SQLException e) {
        return change().or(() -> isCorrupt(e) ? Optional.of(corrupt(file, " in table " + table, (SQLiteException) e))
                : Optional.empty());
    }

    /** Opens a new read-only connection; the caller closes it. */
    public synchronized Connection open() {
        if (!immutable && keeper == null) {
            keeper = connect();
        }
        return connect();
    }

    /** Releases the snapshot's own connection, if it holds one, and deletes its private copy, if any. */
    @Override
    public synchronized void close() {
        try {
            try {
                if (keeper != null) {
                    keeper.close();
                }
            } finally {
                keeper = null;
                if (copy != null) {
                    copy.delete();
                }
            }
        } catch (SQLException e) {
            throw readFailure(file, "cannot close the SQLite database " + file + ": ", e);
        } catch (IOException e) {
            throw new PortException(FailureReason.PORT_FAILED, "cannot delete the private copy of " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private Connection connect() {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.READONLY);
        config.setOpenMode(SQLiteOpenMode.OPEN_URI);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.resetOpenMode(SQLiteOpenMode.READWRITE);
        // sqlite-jdbc serialises each connection's calls itself; SQLite's own lock around every
        // call (column values included) was a few percent of a port's CPU
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        config.setSharedCache(false);
        Path read = copy != null ? copy.file() : file;
        String uri = read.toUri().toString() + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
        try {
            Connection connection = config.createConnection("jdbc:sqlite:" + uri);
            try {
                connection.setAutoCommit(true);
                try (var st = connection.createStatement()) {
                    // a small page cache: readers scan sequentially and the OS caches the file
                    st.execute("PRAGMA cache_size = -8192");
                    st.execute("PRAGMA query_only = 1");
                    // read now, while opening is serialised: this is when SQLite maps the log's index
                    st.executeQuery("SELECT count(*) FROM sqlite_master").close();
                }
                return connection;
            } catch (SQLException e) {
                // a connection that cannot read is no use, and would keep the file open
                try {
                    connection.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw readFailure(file, "cannot open the SQLite database " + file + " read-only: ", e);
        }
    }

    /**
     * The error for a failed read: a corrupt file says so and how to check it; anything else
     * is {@code prefix} and SQLite's message.
     */
    static PortException readFailure(Path file, String prefix, SQLException e) {
        if (isCorrupt(e)) {
            return corrupt(file, "", (SQLiteException) e);
        }
        return new PortException(FailureReason.PORT_FAILED, prefix + e.getMessage(), e);
    }

    private static boolean isCorrupt(SQLException e) {
        return e instanceof SQLiteException se && (se.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT
                || se.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB);
    }

    /** A corrupt file says so, where it was found ({@code where}), and how to check it. */
    private static PortException corrupt(Path file, String where, SQLiteException e) {
        String what = e.getResultCode().message;
        return new PortException(FailureReason.PORT_FAILED, "the SQLite database " + file + " is corrupt ("
                + Character.toLowerCase(what.charAt(0)) + what.substring(1) + ")" + where + "; check it with sqlite3"
                + " and 'PRAGMA integrity_check', then take a new snapshot from a healthy copy", e);
    }
}
