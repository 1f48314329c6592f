package dev.synport.sqlite;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Refuses a snapshot that is not a finished database: a writer is in the middle of a
 * transaction on it, or one died there and left a hot journal. Reading either would port
 * uncommitted rows, since the snapshot is opened without SQLite's locks and journal recovery.
 *
 * <p>SQLite's unix VFS locks with POSIX record locks ({@code fcntl}), as Java's
 * {@link FileChannel#tryLock(long, long, boolean)} does, so a shared lock that cannot be had on
 * one of SQLite's lock bytes means another process holds it exclusively. Shared locks need
 * only read access, so a read-only file in a read-only directory is checked too. Run this
 * before this process opens the database with SQLite: closing the channel drops every POSIX
 * lock this process holds on the file.
 */
final class SnapshotGuard {
    /** SQLite's PENDING lock byte: held exclusively by a writer about to write the file (PENDING, EXCLUSIVE). */
    static final long PENDING_BYTE = 0x40000000L;
    /** SQLite's RESERVED lock byte: held exclusively by a connection inside a write transaction. */
    static final long RESERVED_BYTE = PENDING_BYTE + 1;
    /** The WAL write lock in the {@code -shm} file: held exclusively by the one writer of a WAL database. */
    static final long WAL_WRITE_LOCK_BYTE = 120;
    /** A rollback journal's header starts with these 8 bytes once its first record is written. */
    static final int JOURNAL_HEADER_BYTES = 8;

    private SnapshotGuard() {}

    /** Throws unless no process writes to {@code file} and no crashed writer left a journal beside it. */
    static void refuseUnfinished(Path file) {
        try {
            if (heldExclusively(file, PENDING_BYTE) || heldExclusively(file, RESERVED_BYTE)) {
                throw liveWriter(file, "SQLite's write lock on the file");
            }
            Path shm = PrivateCopy.sibling(file, "-shm");
            if (Files.isReadable(shm) && heldExclusively(shm, WAL_WRITE_LOCK_BYTE)) {
                throw liveWriter(file, "the write lock of its write-ahead log");
            }
            Path journal = PrivateCopy.sibling(file, "-journal");
            if (Files.isReadable(journal) && isHot(journal)) {
                throw new PortException(FailureReason.PORT_FAILED, "the SQLite database " + file + " has a hot"
                        + " journal (" + journal.getFileName() + ", left by a writer that stopped in the middle of a"
                        + " transaction), so the file holds changes that were never committed: stop Synapse, then"
                        + " roll them back with sqlite3 " + file + " 'PRAGMA quick_check' and port again, or port a"
                        + " snapshot taken with sqlite3 " + file + " \".backup snapshot.db\"");
            }
        } catch (IOException e) {
            throw new PortException(FailureReason.SQLITE_MISSING, "cannot check whether the SQLite database " + file
                    + " is being written to: " + e.getMessage(), e);
        }
    }

    /**
     * Whether another process holds {@code file}'s lock byte at {@code position} exclusively. A
     * file system without record locks cannot tell: then the change checks during the port are
     * what remains.
     */
    private static boolean heldExclusively(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock lock;
            try {
                lock = channel.tryLock(position, 1, true);
            } catch (IOException e) {
                return false;
            }
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        }
    }

    /** SQLite's rule for a journal to roll back: not empty, and its header not zeroed (a committed one is emptied, deleted or zeroed). */
    private static boolean isHot(Path journal) throws IOException {
        try (InputStream in = Files.newInputStream(journal)) {
            return isHotHeader(in.readNBytes(JOURNAL_HEADER_BYTES));
        }
    }

    /** Whether a journal starting with {@code header} (at most {@link #JOURNAL_HEADER_BYTES} bytes) is hot. */
    static boolean isHotHeader(byte[] header) {
        for (byte b : header) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    private static PortException liveWriter(Path file, String lock) {
        return new PortException(FailureReason.PORT_FAILED, "another process is writing to the SQLite database "
                + file + " (it holds " + lock + "): stop Synapse and anything else writing to it, then port again,"
                + " or port a snapshot taken with sqlite3 " + file + " \".backup snapshot.db\"");
    }
}
