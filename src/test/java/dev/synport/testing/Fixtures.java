package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The shared fixtures in {@code ../shared/fixtures} (or {@code -Dfixtures.dir}). */
public final class Fixtures {
    private Fixtures() {}

    public static Path dir() {
        Path dir = Path.of(System.getProperty("fixtures.dir", "../shared/fixtures")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixtures not found at " + dir + " (set -Dfixtures.dir)");
        }
        return dir;
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    /** The schema versions with a reference ({@code pg-vNN-schema.sql}), in order. */
    public static List<Integer> schemaVersions() {
        Pattern reference = Pattern.compile("pg-v(\\d+)-schema\\.sql");
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(f -> reference.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Generates a synthetic Synapse database with the fixtures' generator, reusing one made
     * earlier in this build with the same arguments.
     */
    public static Path synthetic(String template, int events, int seed) {
        Path cache = Path.of("target", "synthetic").toAbsolutePath();
        Path out = cache.resolve(template.replace(".db", "") + "-e" + events + "-s" + seed + ".db");
        if (Files.exists(out)) {
            return out;
        }
        try {
            Files.createDirectories(cache);
            Path partial = cache.resolve(out.getFileName() + ".partial");
            Files.deleteIfExists(partial);
            List<String> command = new ArrayList<>(List.of("python3", file("gen_synapse_sqlite.py").toString(),
                    "--template", file(template).toString(), "--events", Integer.toString(events),
                    "--seed", Integer.toString(seed), "-q", "-o", partial.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(cache.resolve("generator.log").toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the generator failed: " + String.join(" ", command)
                        + " (see target/synthetic/generator.log)");
            }
            Files.move(partial, out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
