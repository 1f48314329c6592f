package dev.synport;

/** Error messages are shown on one line: PostgreSQL, SQLite and picocli messages can span several. */
public final class Messages {
    private Messages() {}

    public static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
