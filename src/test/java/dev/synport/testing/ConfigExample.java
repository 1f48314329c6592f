package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A file of {@code config-examples/}, with some {@code database.args} values replaced to point at a test server. */
public final class ConfigExample {
    private ConfigExample() {}

    public static Path file(String name) {
        return Path.of("config-examples", name).toAbsolutePath();
    }

    /**
     * Writes the example to {@code dir} with each key's value (an uncommented {@code key: value}
     * line) replaced; a key the example does not set is added to {@code database.args}.
     */
    public static Path adapted(String name, Map<String, String> values, Path dir) {
        try {
            String yaml = Files.readString(file(name));
            for (Map.Entry<String, String> e : values.entrySet()) {
                Matcher line = Pattern.compile("(?m)^(    " + Pattern.quote(e.getKey()) + ":) .*$").matcher(yaml);
                String value = "'" + e.getValue().replace("'", "''") + "'";
                yaml = line.find() ? line.replaceFirst(m -> Matcher.quoteReplacement(m.group(1) + " " + value))
                        : yaml.replaceFirst("(?m)^  args:$", Matcher.quoteReplacement("  args:\n    " + e.getKey() + ": " + value));
            }
            return Files.writeString(dir.resolve(name), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
