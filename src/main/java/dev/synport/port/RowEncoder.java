package dev.synport.port;

import dev.synport.ByteWords;
import dev.synport.postgres.ColumnKind;
import dev.synport.report.Finding;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one SQLite row into one line of COPY text, applying the value policy:
 * <ul>
 * <li>text with U+0000: each NUL becomes U+FFFD (the same everywhere, so keys stay equal
 *     across tables); repaired and reported;</li>
 * <li>invalid UTF-8: each malformed sequence becomes U+FFFD; repaired and reported;</li>
 * <li>a JSON {@code \u0000} escape in a jsonb column (which PostgreSQL refuses) becomes
 *     {@code \ufffd}; repaired and reported;</li>
 * <li>integers beyond the column's range, non-integral reals or non-numeric text in
 *     integer columns, text that is not a boolean in boolean columns: the row is rejected
 *     and reported in full;</li>
 * <li>integer text in integer columns, integral reals, 0/1 in boolean columns, blobs in
 *     text columns that are valid UTF-8: converted silently (nothing is lost).</li>
 * </ul>
 * Result set column 1 is the rowid; the planned columns follow in order.
 */
final class RowEncoder {
    private static final Pattern JSON_NUL = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    private final String table;
    private final List<ColumnPlan> columns;

    RowEncoder(String table, List<ColumnPlan> columns) {
        this.table = table;
        this.columns = List.copyOf(columns);
    }

    List<ColumnPlan> columns() {
        return columns;
    }

    /**
     * Appends the row to {@code out} and its repairs to {@code findings}; returns false (and
     * appends nothing to {@code out}) when the row is rejected, with the rejection in
     * {@code findings}.
     */
    boolean encode(ResultSet rs, long rowid, CopyBuffer out, List<Finding> findings) throws SQLException {
        int mark = out.length();
        int findingMark = findings.size();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.put((byte) '\t');
            }
            ColumnPlan column = columns.get(i);
            String problem = column.kind().readsBytes()
                    ? encodeBytes(rs.getBytes(i + 2), column, rowid, out, findings, rs)
                    : encodeValue(rs.getObject(i + 2), column.kind(), out);
            if (problem != null) {
                out.truncate(mark);
                while (findings.size() > findingMark) {
                    findings.remove(findings.size() - 1);
                }
                findings.add(new Finding(table, rowid, column.sourceName(), Finding.Action.REJECTED, problem,
                        rs.getObject(i + 2)));
                return false;
            }
        }
        out.put((byte) '\n');
        return true;
    }

    private String encodeBytes(byte[] value, ColumnPlan column, long rowid, CopyBuffer out, List<Finding> findings,
            ResultSet rs) throws SQLException {
        if (value == null && column.userIdFill().isPresent()) {
            value = fillUserId(column, rowid, rs, findings);
        }
        if (value == null) {
            out.putNull();
            return null;
        }
        if (column.kind() == ColumnKind.BYTEA) {
            out.putBytea(value);
            return null;
        }
        byte[] text = value;
        if (!Utf8.isCleanText(value)) {
            String reason = Utf8.isWellFormed(value)
                    ? "text contains U+0000 (NUL), which PostgreSQL cannot store; each NUL replaced by U+FFFD"
                    : "text is not valid UTF-8; each malformed sequence replaced by U+FFFD";
            String repaired = Utf8.decodeLenient(value).replace('\0', '\uFFFD');
            findings.add(new Finding(table, rowid, column.sourceName(), Finding.Action.REPAIRED, reason,
                    Utf8.isWellFormed(value) ? new String(value, StandardCharsets.UTF_8) : value));
            text = repaired.getBytes(StandardCharsets.UTF_8);
        }
        if (column.kind() == ColumnKind.JSONB && ByteWords.contains(text, '\\')) {
            String json = new String(text, StandardCharsets.UTF_8);
            Matcher m = JSON_NUL.matcher(json);
            if (m.find()) {
                findings.add(new Finding(table, rowid, column.sourceName(), Finding.Action.REPAIRED,
                        "JSON escape \\u0000 is refused by jsonb; replaced by \\ufffd", json));
                text = m.replaceAll("$1\\\\ufffd").getBytes(StandardCharsets.UTF_8);
            }
        }
        out.putText(text);
        return null;
    }

    private byte[] fillUserId(ColumnPlan column, long rowid, ResultSet rs, List<Finding> findings)
            throws SQLException {
        ColumnPlan.UserIdFill fill = column.userIdFill().orElseThrow();
        byte[] localpart = rs.getBytes(fill.localpartColumn() + 2);
        if (localpart == null) {
            return null;
        }
        findings.add(new Finding(table, rowid, column.sourceName(), Finding.Action.REPAIRED, "NULL, where Synapse"
                + " keeps '@' || " + fill.localpartName() + " || ':' || server_name; filled in the same way", null));
        return ("@" + new String(localpart, StandardCharsets.UTF_8) + ":" + fill.serverName())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Appends a typed value; returns why it cannot be stored, or null. */
    private static String encodeValue(Object value, ColumnKind kind, CopyBuffer out) {
        if (value == null) {
            out.putNull();
            return null;
        }
        return switch (kind) {
            case BOOLEAN -> encodeBoolean(value, out);
            case SMALLINT, INTEGER, BIGINT -> encodeInteger(value, kind, out);
            case FLOAT, NUMERIC -> encodeNumber(value, out);
            default -> throw new IllegalStateException("column kind " + kind + " is read as bytes");
        };
    }

    private static String encodeBoolean(Object value, CopyBuffer out) {
        Boolean b = null;
        if (value instanceof Number n) {
            b = n.doubleValue() != 0;
        } else if (value instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "t", "true", "1", "y", "yes", "on" -> b = true;
                case "f", "false", "0", "n", "no", "off" -> b = false;
                default -> b = null;
            }
        }
        if (b == null) {
            return "value is not a boolean";
        }
        out.put((byte) (b ? 't' : 'f'));
        return null;
    }

    private static String encodeInteger(Object value, ColumnKind kind, CopyBuffer out) {
        long v;
        if (value instanceof Integer || value instanceof Long) {
            v = ((Number) value).longValue();
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite() || d != Math.rint(d) || Math.abs(d) >= 0x1p63) {
                return "real value does not fit an integer column (" + kind.sqlName() + ")";
            }
            v = d.longValue();
        } else if (value instanceof String s && s.trim().matches("[+-]?\\d{1,19}")) {
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return "integer text beyond the range of " + kind.sqlName();
            }
        } else {
            return (value instanceof byte[] ? "blob" : "text") + " value in an integer column ("
                    + kind.sqlName() + ")";
        }
        if (v < kind.min() || v > kind.max()) {
            return "integer " + v + " is beyond the range of " + kind.sqlName();
        }
        out.putAscii(Long.toString(v));
        return null;
    }

    private static String encodeNumber(Object value, CopyBuffer out) {
        if (value instanceof Number n) {
            out.putAscii(n instanceof Double d ? doubleText(d) : n.toString());
            return null;
        }
        if (value instanceof String s) {
            try {
                out.putAscii(doubleText(Double.parseDouble(s.trim())));
                return null;
            } catch (NumberFormatException e) {
                return "text value in a numeric column";
            }
        }
        return "blob value in a numeric column";
    }

    private static String doubleText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Double.toString(d);
    }
}
