package dev.synport.cli;

import dev.synport.port.StopRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT and SIGTERM (the JVM's shutdown) into a stop request: the hook requests the
 * stop, waits (bounded) for the command to finish its batch and print what was kept, then ends
 * the JVM with the command's exit code (130 for a stopped port).
 */
final class ShutdownStop {
    private final StopRequest stop;
    private final PrintWriter err;
    private final Duration patience;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onShutdown, "stop-on-signal");
    private volatile int exitCode = ExitCodes.INTERRUPTED;

    ShutdownStop(StopRequest stop, PrintWriter err, Duration patience) {
        this.stop = stop;
        this.err = err;
        this.patience = patience;
    }

    void install() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The command ended with {@code code}: ends the JVM with it. */
    void exit(int code) {
        exitCode = code;
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal started the shutdown: the hook ends the JVM with the code
            return;
        }
        System.exit(code);
    }

    private void onShutdown() {
        stop.run();
        try {
            if (!ended.await(patience.toSeconds(), TimeUnit.SECONDS)) {
                err.println("error: the port did not stop within " + patience.toSeconds() + " s; exiting now"
                        + " (what was committed stays, the same command continues)");
                err.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(exitCode);
    }
}
