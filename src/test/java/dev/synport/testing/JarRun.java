package dev.synport.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged jar as its own process, as a user does (default JVM settings); the
 * process can be killed, and its peak resident memory read while it runs.
 */
public final class JarRun {
    /**
     * A prefix for {@link #start(List, Path, Path, String...)}: the tests run as root, whom file
     * modes do not stop; {@code nobody} they do.
     */
    public static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
            "--clear-groups");

    private JarRun() {}

    public static Path jar() {
        Path jar = Path.of(System.getProperty("port.jar", "target/synapse-port-db.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing; integration tests run after package");
        }
        return jar;
    }

    /** Starts the jar; stdout and stderr go to {@code log}. */
    public static Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Starts the jar after {@code prefix} (e.g. {@code setpriv ...} to run it as another user,
     * or nothing); stdout and stderr go to files of their own.
     */
    public static Process start(List<String> prefix, Path stdout, Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /**
     * The process's peak resident set size so far in KiB ({@code VmHWM} in /proc), or -1 when
     * it has exited or the system has no /proc.
     */
    public static long peakRssKib(Process process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Runs the jar to its end; returns the exit code. */
    public static int run(Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("the port did not finish in 10 minutes; see " + log);
        }
        return p.exitValue();
    }
}
