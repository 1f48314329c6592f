package dev.synport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Files only the admin should read (the report holds original values such as password
 * hashes; the log what an admin attaches to a support request; the summary the error line;
 * a private copy of the snapshot everything): created with mode 0600. An existing file
 * keeps its mode and is appended to.
 */
public final class PrivateFiles {
    private PrivateFiles() {}

    /** Creates the file, empty and readable by its owner only, unless it exists; returns whether it did. */
    public static boolean createIfMissing(Path file) throws IOException {
        try {
            create(file);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Writes {@code content} into a new file readable by its owner only; the file must not exist. */
    public static void writeNew(Path file, String content) throws IOException {
        create(file);
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
    }

    /** Copies {@code source} into a new file readable by its owner only; the file must not exist. */
    public static void copyNew(Path source, Path file) throws IOException {
        create(file);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
            Files.copy(source, out);
        }
    }

    private static void create(Path file) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    }
}
