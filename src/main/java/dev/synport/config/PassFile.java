package dev.synport.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * libpq's password file ({@code ~/.pgpass} or {@code PGPASSFILE}): lines of
 * {@code hostname:port:database:username:password}, where {@code *} matches anything in the first
 * four fields, {@code \:} and {@code \\} are a literal colon and backslash, and lines starting with
 * {@code #} are comments. The first matching line wins. A file that group or others may read is
 * ignored with a warning, as libpq does.
 */
final class PassFile {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path file;

    PassFile(Path file) {
        this.file = file;
    }

    /**
     * The password for this connection, if a line matches. {@code host} is the host as given;
     * for the default socket directory libpq looks up {@code localhost}, and so do callers.
     */
    Optional<String> lookup(String host, int port, String database, String user, Consumer<String> warnings) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            warnings.accept("password file " + file + " is not a plain file; ignoring it");
            return Optional.empty();
        }
        List<String> lines;
        try {
            if (!readableByOthers(file).isEmpty()) {
                warnings.accept("password file " + file + " has group or world access; permissions should be"
                        + " u=rw (0600) or less; ignoring it (fix with: chmod 0600 " + file + ")");
                return Optional.empty();
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            warnings.accept("cannot read password file " + file + ": " + e.getMessage() + "; ignoring it");
            return Optional.empty();
        }
        List<String> wanted = List.of(host, Integer.toString(port), database, user);
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            List<Field> fields = fields(line);
            if (fields.size() >= 5 && matches(fields, wanted)) {
                return Optional.of(fields.get(4).text()).filter(p -> !p.isEmpty());
            }
        }
        return Optional.empty();
    }

    private static Set<PosixFilePermission> readableByOthers(Path file) throws IOException {
        try {
            Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
            permissions.addAll(Files.getPosixFilePermissions(file));
            permissions.retainAll(GROUP_OR_OTHERS);
            return permissions;
        } catch (UnsupportedOperationException e) {
            return Set.of(); // no POSIX permissions (Windows): libpq does not check them there either
        }
    }

    private static boolean matches(List<Field> fields, List<String> wanted) {
        for (int i = 0; i < wanted.size(); i++) {
            Field field = fields.get(i);
            if (!field.wildcard() && !field.text().equals(wanted.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** One field of a line: its text with escapes removed, and whether it was an unescaped {@code *}. */
    record Field(String text, boolean wildcard) {}

    /** Splits on unescaped colons. */
    static List<Field> fields(String line) {
        List<Field> fields = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                text.append(line.charAt(++i));
                escaped = true;
            } else if (c == ':') {
                fields.add(field(text, escaped));
                text.setLength(0);
                escaped = false;
            } else {
                text.append(c);
            }
        }
        fields.add(field(text, escaped));
        return fields;
    }

    private static Field field(StringBuilder text, boolean escaped) {
        return new Field(text.toString(), !escaped && text.toString().equals("*"));
    }
}
