package dev.synport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs an external command to its end, capturing its output; for launchers, mounts and the like. */
public final class Command {
    private Command() {}

    /** The exit code, the output streams, and the process id of one run. */
    public record Result(int exitCode, String out, String err, long pid) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(List<String> command) {
        return run(command, Path.of("."), env -> { });
    }

    /** Runs {@code command} in {@code dir}, its environment first changed by {@code environment}. */
    public static Result run(List<String> command, Path dir, Consumer<Map<String, String>> environment) {
        try {
            Path out = Files.createTempFile("synport-command", ".out");
            Path err = Files.createTempFile("synport-command", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                environment.accept(builder.environment());
                Process p = builder.start();
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command + " did not finish in 10 minutes");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8), p.pid());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
