package dev.synport.sqlite;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A snapshot and its pending write-ahead log copied together into a private temporary
 * directory. Reading a database's {@code -wal} needs its shared-memory index ({@code -shm})
 * beside it, writable; when the snapshot's directory is read-only and holds no writable
 * index, SQLite cannot open it there ({@code SQLITE_CANTOPEN}). The copy is read instead,
 * with every transaction committed in the log; it is deleted when the snapshot is closed.
 */
final class PrivateCopy {
    /** Room kept free beside the copy, for the index SQLite builds and for everyone else. */
    private static final long HEADROOM = 64L << 20;
    /** The copy's files: the database, its log, and the index SQLite makes for it. */
    private static final List<String> SUFFIXES = List.of("", "-wal", "-shm");

    private final Path directory;
    private final Path file;

    private PrivateCopy(Path directory, Path file) {
        this.directory = directory;
        this.file = file;
    }

    /** Whether SQLite can read {@code file}'s pending log where it is: its index exists writable or can be made. */
    static boolean needed(Path file) {
        Path shm = sibling(file, "-shm");
        return Files.exists(shm) ? !Files.isWritable(shm) : !Files.isWritable(file.getParent());
    }

    /**
     * Copies {@code file} and its {@code -wal} into a new directory under {@code tempRoot},
     * after checking that they fit; {@code notice} hears what is done and where.
     */
    static PrivateCopy make(Path file, Path tempRoot, Consumer<String> notice) {
        Path wal = sibling(file, "-wal");
        try {
            long size = Files.size(file) + Files.size(wal);
            long free = Files.getFileStore(tempRoot).getUsableSpace();
            if (free < size + HEADROOM) {
                throw new PortException(FailureReason.PORT_FAILED, "the SQLite database " + file + " has a pending"
                        + " write-ahead log (" + wal.getFileName() + ") in a read-only directory, where SQLite cannot"
                        + " read it, and a private copy (" + megabytes(size) + ") does not fit in " + tempRoot + " ("
                        + megabytes(free) + " free); on the homeserver, where the database is writable, make a"
                        + " snapshot without a log: sqlite3 " + file.getFileName() + " \".backup snapshot.db\", and"
                        + " port that; or give the JVM a temporary directory with room: JAVA_OPTS=-Djava.io.tmpdir=DIR");
            }
            Path directory = Files.createTempDirectory(tempRoot, "synapse-port-db-snapshot-");
            PrivateCopy copy = new PrivateCopy(directory, directory.resolve(file.getFileName()));
            // deleted at close; registered too in case the JVM is stopped first (Ctrl-C), deepest last
            directory.toFile().deleteOnExit();
            for (String suffix : SUFFIXES) {
                sibling(copy.file, suffix).toFile().deleteOnExit();
            }
            notice.accept("Copying the snapshot and its write-ahead log (" + megabytes(size) + ") to " + directory
                    + ": SQLite cannot read a pending log in the read-only directory " + file.getParent());
            try {
                PrivateFiles.copyNew(file, copy.file);
                PrivateFiles.copyNew(wal, sibling(copy.file, "-wal"));
            } catch (IOException e) {
                copy.delete();
                throw e;
            }
            return copy;
        } catch (IOException e) {
            throw new PortException(FailureReason.PORT_FAILED, "cannot copy the SQLite database " + file + " and its"
                    + " write-ahead log to " + tempRoot + " (its directory is read-only, where SQLite cannot read the"
                    + " log): " + e.getMessage(), e);
        }
    }

    /** The copied database, beside its copied log. */
    Path file() {
        return file;
    }

    /** Deletes the copy, its log, the index SQLite made for it, and the directory. */
    void delete() throws IOException {
        for (String suffix : SUFFIXES) {
            Files.deleteIfExists(sibling(file, suffix));
        }
        Files.deleteIfExists(directory);
    }

    /** The journal file SQLite keeps beside {@code file}: {@code -wal} or {@code -shm}. */
    static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
