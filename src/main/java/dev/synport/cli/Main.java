package dev.synport.cli;

import dev.synport.port.StopRequest;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/** The entry point: runs the command and exits with its code; Ctrl-C and SIGTERM stop the port cleanly. */
public final class Main {
    /** How long a signal waits for the batch in flight and the summary before the JVM ends anyway. */
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(60);

    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        // a library's thread that dies (a pool's housekeeper on a dropped connection, say) would print
        // its stack trace on the terminal; it goes to the run's log instead, like all library output
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> LoggerFactory.getLogger(Main.class)
                .error("thread {} ended with an exception", thread.getName(), e));
        StopRequest stop = new StopRequest();
        ShutdownStop signals = new ShutdownStop(stop, err, STOP_PATIENCE);
        signals.install();
        int code = ExitCodes.PORT_FAILED;
        try {
            code = PortCommand.run(out, err, System.getenv(), new PortCommand.Session(System.console() != null, stop),
                    args);
        } catch (Error e) {
            // out of memory and the like: reported, and the JVM ends now rather than through the signal path
            err.println("error: " + e);
            err.flush();
        } finally {
            signals.exit(code);
        }
    }
}
