package dev.synport.cli;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files a run writes (the log, the report) are checked before anything is written to the
 * target, so that a bad path stops the run at once instead of after hours of copying. A path
 * that cannot be written is a bad option value: exit 2, naming the path and the option.
 */
final class OutputFiles {
    private OutputFiles() {}

    /**
     * Makes sure {@code file} can be created or appended to, by opening it for appending (an
     * existing file is not changed). A file that did not exist is left in place, empty and
     * mode 0600, when {@code keep}; otherwise removed again.
     *
     * @return the absolute path
     */
    static Path checkWritable(Path file, String what, String option, boolean keep) {
        Path path = file.toAbsolutePath().normalize();
        if (Files.isDirectory(path)) {
            throw refused(what, file, "it is a directory", option);
        }
        Path directory = path.getParent();
        if (!Files.isDirectory(directory)) {
            throw refused(what, file, "the directory " + directory + " does not exist", option);
        }
        try {
            boolean created = PrivateFiles.createIfMissing(path);
            try {
                FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
            } finally {
                if (created && !keep) {
                    Files.delete(path);
                }
            }
        } catch (AccessDeniedException e) {
            throw refused(what, file, "permission denied", option);
        } catch (FileSystemException e) {
            throw refused(what, file, e.getReason() != null ? e.getReason() : e.getMessage(), option);
        } catch (IOException e) {
            throw refused(what, file, e.getMessage(), option);
        }
        return path;
    }

    private static PortException refused(String what, Path file, String reason, String option) {
        return new PortException(FailureReason.CONFIG_MALFORMED,
                "cannot write the " + what + " " + file + ": " + reason + "; choose another path with " + option);
    }
}
