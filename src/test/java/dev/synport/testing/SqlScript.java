package dev.synport.testing;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * Runs a plain-format {@code pg_dump} file over JDBC, as psql would: statements split on
 * semicolons outside quotes, dollar quotes and comments, and {@code COPY ... FROM stdin}
 * blocks streamed through the COPY API.
 */
public final class SqlScript {
    private SqlScript() {}

    public static void run(Connection connection, Path file) throws IOException, SQLException {
        String sql = Files.readString(file, StandardCharsets.UTF_8);
        int i = 0;
        int n = sql.length();
        StringBuilder statement = new StringBuilder();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
                statement.append('\n');
            } else if (c == '\'' || c == '"') {
                int end = i + 1;
                while (true) {
                    end = sql.indexOf(c, end);
                    if (end + 1 < n && sql.charAt(end + 1) == c) {
                        end += 2;
                        continue;
                    }
                    break;
                }
                statement.append(sql, i, end + 1);
                i = end + 1;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int end = sql.indexOf(tag, i + tag.length()) + tag.length();
                statement.append(sql, i, end);
                i = end;
            } else if (c == ';') {
                String text = statement.toString().strip();
                statement.setLength(0);
                i++;
                if (text.isEmpty()) {
                    continue;
                }
                if (text.matches("(?is)^COPY .* FROM stdin$")) {
                    int start = sql.indexOf('\n', i) + 1;
                    int end = sql.indexOf("\n\\.\n", start - 1);
                    String data = end < start ? "" : sql.substring(start, end + 1);
                    connection.unwrap(PGConnection.class).getCopyAPI().copyIn(text, new StringReader(data));
                    i = end < start ? start + 3 : end + 4;
                } else {
                    try (Statement st = connection.createStatement()) {
                        st.execute(text);
                    }
                }
            } else {
                statement.append(c);
                i++;
            }
        }
    }

    private static String dollarTag(String sql, int i) {
        int j = i + 1;
        while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        if (j < sql.length() && sql.charAt(j) == '$') {
            String tag = sql.substring(i, j + 1);
            return tag.length() == 2 || Character.isLetter(tag.charAt(1)) || tag.charAt(1) == '_' ? tag : null;
        }
        return null;
    }
}
