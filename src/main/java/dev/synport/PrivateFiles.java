package dev.synport;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Files only the admin should read (the report holds original values such as password
 * hashes; the log what an admin attaches to a support request): created with mode 0600.
 * An existing file keeps its mode and is appended to.
 */
public final class PrivateFiles {
    private PrivateFiles() {}

    /** Creates the file, empty and readable by its owner only, unless it exists; returns whether it did. */
    public static boolean createIfMissing(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }
}
