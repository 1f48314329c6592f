package dev.synport.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged jar as its own process, as a user does; the process can be killed. */
public final class JarRun {
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
                "-Xmx512m", "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
