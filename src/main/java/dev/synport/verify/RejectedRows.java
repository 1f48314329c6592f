package dev.synport.verify;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.digest.JsonText;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rows a port's report lists as rejected, which the target is expected to lack. Rows the
 * port's own value policy rejects need no report (the verification applies the same policy);
 * the report is what tells about rows PostgreSQL itself refused (a constraint) and rows
 * removed for pointing at such a row, whose rowid is unknown (0 in the report).
 */
public final class RejectedRows {
    private final Map<String, Set<Long>> rowids;
    private final Map<String, Integer> withoutRowid;

    private RejectedRows(Map<String, Set<Long>> rowids, Map<String, Integer> withoutRowid) {
        this.rowids = rowids;
        this.withoutRowid = withoutRowid;
    }

    public static RejectedRows none() {
        return new RejectedRows(Map.of(), Map.of());
    }

    /** Reads the reports (JSON Lines, docs/GUIDE.md); a line that is not a finding is refused as a bad command line. */
    public static RejectedRows read(List<Path> reports) {
        Map<String, Set<Long>> rowids = new HashMap<>();
        Map<String, Integer> withoutRowid = new HashMap<>();
        for (Path report : reports) {
            try (BufferedReader in = Files.newBufferedReader(report, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    Object parsed;
                    try {
                        parsed = JsonText.parse(line);
                    } catch (IllegalArgumentException e) {
                        throw new PortException(FailureReason.CONFIG_MALFORMED, "--report " + report + ": line " + number
                                + " is not JSON");
                    }
                    if (!(parsed instanceof Map<?, ?> finding) || !(finding.get("table") instanceof String table)
                            || !(finding.get("rowid") instanceof BigDecimal rowid)) {
                        throw new PortException(FailureReason.CONFIG_MALFORMED, "--report " + report + ": line " + number
                                + " is not a finding of synapse-port-db's report");
                    }
                    if (!"rejected".equals(finding.get("action"))) {
                        continue;
                    }
                    if (rowid.signum() == 0) {
                        withoutRowid.merge(table, 1, Integer::sum);
                    } else {
                        rowids.computeIfAbsent(table, t -> new HashSet<>()).add(rowid.longValue());
                    }
                }
            } catch (IOException e) {
                throw new PortException(FailureReason.CONFIG_MALFORMED, "--report " + report + ": cannot be read ("
                        + e.getMessage() + ")", e);
            }
        }
        return new RejectedRows(rowids, withoutRowid);
    }

    /** The rowids of the table's rejected rows. */
    Set<Long> rowids(String table) {
        return rowids.getOrDefault(table, Set.of());
    }

    /** How many of the table's rows were rejected without a known rowid. */
    int withoutRowid(String table) {
        return withoutRowid.getOrDefault(table, 0);
    }
}
