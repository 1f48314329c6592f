package dev.synport.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logback's configuration until a run opens its log file ({@link RunLog}): everything off, so
 * nothing ever logs to the terminal. Found by Logback through {@code META-INF/services}, it
 * stands in for a {@code logback.xml}, whose XML parser made up about a third of the JVM's
 * start (docs/PERFORMANCE.md).
 */
public final class SilentLogging extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
