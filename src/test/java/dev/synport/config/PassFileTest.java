package dev.synport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libpq's password file rules: wildcards, escapes, comments, first match, and permissions. */
class PassFileTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private Optional<String> lookup(String host, int port, String db, String user, String... lines) throws IOException {
        Path file = dir.resolve("pgpass");
        Files.write(file, List.of(lines));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return new PassFile(file).lookup(host, port, db, user, warnings::add);
    }

    @Test
    void firstMatchingLineWins() throws IOException {
        assertThat(lookup("db", 5432, "synapse", "synapse", "db:5432:synapse:synapse:first",
                "db:5432:synapse:synapse:second")).contains("first");
    }

    @Test
    void starMatchesAnythingInTheFirstFourFields() throws IOException {
        assertThat(lookup("db", 5432, "synapse", "synapse", "other:*:*:*:no", "*:*:*:synapse:yes")).contains("yes");
        assertThat(lookup("db", 6543, "x", "y", "*:*:*:*:any")).contains("any");
    }

    @Test
    void escapedColonsAndBackslashesAreLiteral() throws IOException {
        assertThat(lookup("db", 5432, "we:ird", "u\\ser", "db:5432:we\\:ird:u\\\\ser:pa\\:ss\\\\word")).contains("pa:ss\\word");
    }

    @Test
    void anEscapedStarIsALiteralStar() throws IOException {
        assertThat(lookup("db", 5432, "synapse", "synapse", "db:5432:\\*:synapse:literal")).isEmpty();
        assertThat(lookup("db", 5432, "*", "synapse", "db:5432:\\*:synapse:literal")).contains("literal");
    }

    @Test
    void passwordEndsAtTheNextUnescapedColon() throws IOException {
        assertThat(lookup("db", 5432, "d", "u", "db:5432:d:u:secret:ignored")).contains("secret");
    }

    @Test
    void commentsBlankAndShortLinesAreSkipped() throws IOException {
        assertThat(lookup("db", 5432, "d", "u", "# db:5432:d:u:commented", "", "db:5432:d:u", "db:5432:d:u:real"))
                .contains("real");
    }

    @Test
    void nothingMatchesIsEmptyAndPortIsComparedAsText() throws IOException {
        assertThat(lookup("db", 5432, "d", "u", "db:05432:d:u:no", "DB:5432:d:u:no")).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void fileReadableByGroupIsIgnoredWithAWarning() throws IOException {
        Path file = dir.resolve("shared-pgpass");
        Files.writeString(file, "*:*:*:*:secret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(new PassFile(file).lookup("db", 5432, "d", "u", warnings::add)).isEmpty();
        assertThat(warnings).containsExactly("password file " + file + " has group or world access; permissions"
                + " should be u=rw (0600) or less; ignoring it (fix with: chmod 0600 " + file + ")");
    }

    @Test
    void directoryIsIgnoredWithAWarning() {
        assertThat(new PassFile(dir).lookup("db", 5432, "d", "u", warnings::add)).isEmpty();
        assertThat(warnings).containsExactly("password file " + dir + " is not a plain file; ignoring it");
    }
}
