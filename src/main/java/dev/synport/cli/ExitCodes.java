package dev.synport.cli;

import dev.synport.FailureReason;

/** The documented exit codes; 1 to 5 are those of Synapse's own synapse_port_db. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int SQLITE_MISSING = 1;
    /**
     * A malformed database section, an unreadable or invalid config file, or a bad command line
     * (including a log or report path that cannot be written).
     */
    public static final int CONFIG_MALFORMED = 2;
    public static final int NOT_POSTGRES = 3;
    public static final int NO_DATABASE_SECTION = 4;
    public static final int PORT_FAILED = 5;
    /** Stopped by Ctrl-C, SIGTERM or {@code q}: 128 + SIGINT, as shells report an interrupted command. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}

    static int of(FailureReason reason) {
        return switch (reason) {
            case SQLITE_MISSING -> SQLITE_MISSING;
            case CONFIG_MALFORMED -> CONFIG_MALFORMED;
            case NOT_POSTGRES -> NOT_POSTGRES;
            case NO_DATABASE_SECTION -> NO_DATABASE_SECTION;
            case PORT_FAILED -> PORT_FAILED;
            case INTERRUPTED -> INTERRUPTED;
        };
    }
}
