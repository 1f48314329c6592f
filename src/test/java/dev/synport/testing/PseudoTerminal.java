package dev.synport.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a command on a pseudo-terminal of a given size, as a user at a terminal would (util-linux
 * {@code script}), typing a key every so often so that a full-screen program's final "press a
 * key" is answered. Returns the exit code and everything the terminal showed, escapes included.
 */
public final class PseudoTerminal {
    private PseudoTerminal() {}

    /** The command's exit code and the raw terminal output. */
    public record Result(int exitCode, String screen) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- terminal\n" + screen;
        }
    }

    /** Whether {@code script} is there to make the pseudo-terminal. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/script"));
    }

    public static Result run(int columns, int rows, Path dir, List<String> command) {
        String shell = "stty cols " + columns + " rows " + rows + "; exec "
                + command.stream().map(PseudoTerminal::shellQuote).collect(Collectors.joining(" "));
        try {
            Path typescript = Files.createTempFile("synport-pty", ".out");
            try {
                Process p = new ProcessBuilder("script", "-qefc", shell, typescript.toString())
                        .directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                try (OutputStream keys = p.getOutputStream()) {
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                    while (!p.waitFor(500, TimeUnit.MILLISECONDS)) {
                        if (System.nanoTime() > deadline) {
                            p.destroyForcibly();
                            throw new IllegalStateException(command + " did not finish in 5 minutes on the terminal");
                        }
                        // a space: not a key the view stops on, but one that ends the summary's wait
                        keys.write(' ');
                        keys.flush();
                    }
                } catch (IOException e) {
                    // the process ended while a key was typed: its exit code tells the rest
                }
                p.waitFor();
                return new Result(p.exitValue(), Files.readString(typescript, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(typescript);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
