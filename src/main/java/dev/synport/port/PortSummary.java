package dev.synport.port;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a successful run.
 *
 * @param rowsCopied rows written by this run (a rerun writes only what is new or refilled)
 * @param report the report file, when anything was repaired or rejected
 */
public record PortSummary(
        int tablesCopied,
        long rowsCopied,
        long rowsRepaired,
        long rowsRejected,
        Map<String, String> tablesSkipped,
        int sequencesSet,
        Duration elapsed,
        Optional<Path> report) {

    public PortSummary {
        tablesSkipped = Map.copyOf(tablesSkipped);
    }
}
