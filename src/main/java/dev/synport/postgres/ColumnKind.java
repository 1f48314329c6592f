package dev.synport.postgres;

import java.util.Locale;

/** How a target column's values are written; derived from its PostgreSQL type. */
public enum ColumnKind {
    BOOLEAN, SMALLINT, INTEGER, BIGINT, FLOAT, NUMERIC, BYTEA, JSONB, TEXT, OTHER;

    public static ColumnKind of(String dataType) {
        return switch (dataType.toLowerCase(Locale.ROOT)) {
            case "boolean" -> BOOLEAN;
            case "smallint" -> SMALLINT;
            case "integer" -> INTEGER;
            case "bigint" -> BIGINT;
            case "real", "double precision" -> FLOAT;
            case "numeric" -> NUMERIC;
            case "bytea" -> BYTEA;
            case "jsonb", "json" -> JSONB;
            case "text", "character varying", "character" -> TEXT;
            default -> OTHER;
        };
    }

    /** The kind's name as SQL spells the type, for messages. */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Values are read from SQLite as raw bytes (text and blobs), not as typed values. */
    public boolean readsBytes() {
        return this == TEXT || this == BYTEA || this == JSONB || this == OTHER;
    }

    public long min() {
        return switch (this) {
            case SMALLINT -> Short.MIN_VALUE;
            case INTEGER -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
    }

    public long max() {
        return switch (this) {
            case SMALLINT -> Short.MAX_VALUE;
            case INTEGER -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }
}
