package dev.synport.report;

import dev.synport.PrivateFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes findings as JSON Lines, one object per finding: table, rowid, the row's key (an
 * object of column to value, or null when the table has no key), column, action, reason and
 * the original value (text as a JSON string with every character escaped that
 * needs it, blobs as {@code {"hex": "..."}}). The file is created on the first finding only,
 * readable by its owner only: it holds original values such as password hashes.
 */
public final class JsonLinesReport implements FindingSink, AutoCloseable {
    private final Path path;
    private BufferedWriter writer;

    public JsonLinesReport(Path path) {
        this.path = path;
    }

    @Override
    public synchronized void record(List<Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        try {
            if (writer == null) {
                // appended: a report named again on a rerun keeps what earlier runs found
                PrivateFiles.createIfMissing(path);
                writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
            for (Finding f : findings) {
                writer.write(toJson(f));
                writer.write('\n');
            }
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + path, e);
        }
    }

    /** The report's path, if anything was written to it. */
    public synchronized Optional<Path> written() {
        return writer == null ? Optional.empty() : Optional.of(path);
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String toJson(Finding f) {
        StringBuilder b = new StringBuilder(128);
        b.append("{\"table\":").append(Json.string(f.table()))
                .append(",\"rowid\":").append(f.rowid())
                .append(",\"key\":").append(key(f.key()))
                .append(",\"column\":").append(f.column() == null ? "null" : Json.string(f.column()))
                .append(",\"action\":").append(Json.string(f.action().name().toLowerCase(Locale.ROOT)))
                .append(",\"reason\":").append(Json.string(f.reason()))
                .append(",\"original\":").append(value(f.original()))
                .append('}');
        return b.toString();
    }

    private static String key(Map<String, Object> key) {
        if (key.isEmpty()) {
            return "null";
        }
        StringBuilder b = new StringBuilder("{");
        key.forEach((column, v) -> b.append(b.length() > 1 ? "," : "").append(Json.string(column)).append(':')
                .append(value(v)));
        return b.append('}').toString();
    }

    private static String value(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[] bytes) {
            return "{\"hex\":\"" + HexFormat.of().formatHex(bytes) + "\"}";
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        return Json.string(v.toString());
    }
}
