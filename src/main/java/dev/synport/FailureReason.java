package dev.synport;

/** Why a run stopped early; each maps to one documented exit code. */
public enum FailureReason {
    /** The SQLite snapshot does not exist or cannot be read. */
    SQLITE_MISSING,
    /** The config file is unreadable, not YAML, or its database section is malformed. */
    CONFIG_MALFORMED,
    /** The database section names a connector other than psycopg2/psycopg. */
    NOT_POSTGRES,
    /** The config file has no database section. */
    NO_DATABASE_SECTION,
    /** Anything else: pre-flight refused, connection failed, copy failed, verification failed. */
    PORT_FAILED,
    /** The user asked the port to stop (not an error: what was committed stays, a rerun continues). */
    INTERRUPTED
}
