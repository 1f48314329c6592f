package dev.synport.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What tells one state of a snapshot from another, read without SQLite: the file change
 * counter and page count of the database header (SQLite bumps the counter at every commit in
 * rollback-journal mode, and whenever page 1 changes in WAL mode), the file's size,
 * modification time and identity (a file replaced by another has a new inode), and its
 * write-ahead log's size, time and header (the checkpoint sequence and salts change whenever
 * the log is restarted). Two reads of a file nobody writes to are equal.
 *
 * @param fileKey the file's identity on its file system (inode), as text
 * @param modifiedNanos the file's modification time in nanoseconds since the epoch
 */
public record SnapshotFingerprint(long changeCounter, long pageCount, long size, long modifiedNanos, String fileKey,
        Wal wal) {
    /** Bytes of the database header read: up to and including the page count (offset 28, 4 bytes). */
    static final int HEADER_BYTES = 32;
    /** Bytes of the write-ahead log header read: up to and including the second salt (offset 20, 4 bytes). */
    static final int WAL_HEADER_BYTES = 24;

    public SnapshotFingerprint {
        Objects.requireNonNull(fileKey);
        Objects.requireNonNull(wal);
    }

    /**
     * The state of the write-ahead log beside the database; {@link #NONE} when there is none
     * (or it is empty).
     */
    public record Wal(long size, long modifiedNanos, long checkpointSequence, long salt1, long salt2) {
        public static final Wal NONE = new Wal(0, 0, 0, 0, 0);

        /** The log's state from its size, time and the first {@link #WAL_HEADER_BYTES} bytes of its header. */
        static Wal of(long size, long modifiedNanos, byte[] header) {
            if (size == 0) {
                return NONE;
            }
            ByteBuffer b = ByteBuffer.wrap(header.length >= WAL_HEADER_BYTES ? header : new byte[WAL_HEADER_BYTES]);
            return new Wal(size, modifiedNanos, b.getInt(12) & 0xffffffffL, b.getInt(16) & 0xffffffffL,
                    b.getInt(20) & 0xffffffffL);
        }
    }

    /**
     * Reads the database file at {@code file} (header included) and its log. Opens the database
     * file, so call it only while this process holds no SQLite lock on it: closing any
     * descriptor of a file drops all of the process's POSIX locks on it.
     */
    static SnapshotFingerprint read(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        byte[] header;
        try (InputStream in = Files.newInputStream(file)) {
            header = in.readNBytes(HEADER_BYTES);
        }
        return of(header, attributes, readWal(file));
    }

    /**
     * Reads the file's size, time and identity, and its log, but keeps {@code earlier}'s header
     * fields: the database file is not opened, so SQLite's locks on it in this process stay.
     */
    static SnapshotFingerprint statOnly(Path file, SnapshotFingerprint earlier) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new SnapshotFingerprint(earlier.changeCounter, earlier.pageCount, attributes.size(),
                nanos(attributes), String.valueOf(attributes.fileKey()), readWal(file));
    }

    /** The fingerprint from the first {@link #HEADER_BYTES} bytes of the file and its attributes. */
    static SnapshotFingerprint of(byte[] header, BasicFileAttributes attributes, Wal wal) {
        ByteBuffer b = ByteBuffer.wrap(header.length >= HEADER_BYTES ? header : new byte[HEADER_BYTES]);
        return new SnapshotFingerprint(b.getInt(24) & 0xffffffffL, b.getInt(28) & 0xffffffffL, attributes.size(),
                nanos(attributes), String.valueOf(attributes.fileKey()), wal);
    }

    private static Wal readWal(Path file) throws IOException {
        Path wal = PrivateCopy.sibling(file, "-wal");
        try {
            // SQLite never locks the log itself (its locks are on the database and the -shm), so it may be opened
            BasicFileAttributes attributes = Files.readAttributes(wal, BasicFileAttributes.class);
            byte[] header;
            try (InputStream in = Files.newInputStream(wal)) {
                header = in.readNBytes(WAL_HEADER_BYTES);
            }
            return Wal.of(attributes.size(), nanos(attributes), header);
        } catch (NoSuchFileException e) {
            return Wal.NONE;
        }
    }

    private static long nanos(BasicFileAttributes attributes) {
        return attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /** A compact text form, stored in the target beside the checkpoints; equal fingerprints, equal text. */
    public String id() {
        return "counter=" + changeCounter + " pages=" + pageCount + " size=" + size + " mtime=" + modifiedNanos
                + " file=" + fileKey + " wal=" + wal.size + "/" + wal.modifiedNanos + "/" + wal.checkpointSequence
                + "/" + wal.salt1 + "/" + wal.salt2;
    }

    /**
     * What differs in {@code later}, in words, the most telling difference first; empty when
     * nothing does.
     */
    public Optional<String> changeTo(SnapshotFingerprint later) {
        if (changeCounter != later.changeCounter) {
            return Optional.of("its file change counter went from " + changeCounter + " to " + later.changeCounter);
        }
        if (pageCount != later.pageCount) {
            return Optional.of("its page count went from " + pageCount + " to " + later.pageCount);
        }
        if (size != later.size) {
            return Optional.of("its size went from " + size + " to " + later.size + " bytes");
        }
        if (!fileKey.equals(later.fileKey)) {
            return Optional.of("it was replaced by another file");
        }
        if (!wal.equals(later.wal)) {
            return Optional.of(wal.equals(Wal.NONE) ? "a write-ahead log appeared beside it"
                    : later.wal.equals(Wal.NONE) ? "its write-ahead log was checkpointed and removed"
                    : "its write-ahead log changed (" + wal.size + " to " + later.wal.size + " bytes)");
        }
        if (modifiedNanos != later.modifiedNanos) {
            return Optional.of("it was written to");
        }
        return Optional.empty();
    }
}
