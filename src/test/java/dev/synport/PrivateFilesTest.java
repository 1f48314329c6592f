package dev.synport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @Test
    void everyFileItMakesIsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("source"), "snapshot bytes");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        PrivateFiles.copyNew(source, dir.resolve("copy"));
        PrivateFiles.writeNew(dir.resolve("summary"), "{}");
        assertThat(PrivateFiles.createIfMissing(dir.resolve("log"))).isTrue();
        for (String name : new String[] {"copy", "summary", "log"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).as(name)
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(dir.resolve("copy"))).isEqualTo("snapshot bytes");
        assertThat(Files.readString(dir.resolve("summary"))).isEqualTo("{}");
    }

    @Test
    void anExistingFileIsNeitherReplacedNorChanged(@TempDir Path dir) throws Exception {
        Path existing = Files.writeString(dir.resolve("report"), "earlier");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(PrivateFiles.createIfMissing(existing)).isFalse();
        assertThatThrownBy(() -> PrivateFiles.writeNew(existing, "new")).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(existing)).isEqualTo("earlier");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rw-r-----");
    }
}
