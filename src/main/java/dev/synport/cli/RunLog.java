package dev.synport.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The run's log file, set up in code: every logger (this tool's and the libraries', including
 * pgjdbc's and sqlite-jdbc's java.util.logging) writes into it, at INFO, or DEBUG with
 * {@code -v}; nothing reaches the terminal. Appended across runs; the caller creates the
 * file (mode 0600) beforehand. Closing detaches it and silences logging again, as
 * {@link SilentLogging} leaves it between runs.
 */
final class RunLog implements AutoCloseable {
    private static final String PATTERN =
            "%d{yyyy-MM-dd HH:mm:ss.SSS'Z',UTC} %-5level [%thread] %logger - %msg%n";

    private final ch.qos.logback.classic.Logger root;
    private final FileAppender<ILoggingEvent> appender;

    private RunLog(ch.qos.logback.classic.Logger root, FileAppender<ILoggingEvent> appender) {
        this.root = root;
        this.appender = appender;
    }

    static RunLog open(Path file, boolean debug) {
        routeJavaUtilLogging(debug);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("run-log");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(debug ? Level.DEBUG : Level.INFO);
        return new RunLog(root, appender);
    }

    /** pgjdbc and sqlite-jdbc log through java.util.logging, whose default handler prints to stderr. */
    private static void routeJavaUtilLogging(boolean debug) {
        synchronized (RunLog.class) {
            if (!SLF4JBridgeHandler.isInstalled()) {
                SLF4JBridgeHandler.removeHandlersForRootLogger();
                SLF4JBridgeHandler.install();
            }
        }
        java.util.logging.Logger.getLogger("").setLevel(debug ? java.util.logging.Level.FINE
                : java.util.logging.Level.INFO);
    }

    @Override
    public void close() {
        root.setLevel(Level.OFF);
        root.detachAppender(appender);
        appender.stop();
    }
}
