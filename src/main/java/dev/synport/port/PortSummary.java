package dev.synport.port;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a successful run leaves for its summary beyond the progress events: the counts come
 * from those events (the tracker), this from the plan and the report.
 *
 * @param tablesSkipped the tables not copied by design, with the reason
 * @param report the report file, when anything was repaired or rejected
 */
public record PortSummary(Map<String, String> tablesSkipped, Optional<Path> report) {

    public PortSummary {
        tablesSkipped = Map.copyOf(tablesSkipped);
    }
}
