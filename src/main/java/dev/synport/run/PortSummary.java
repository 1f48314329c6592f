package dev.synport.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a successful run leaves for its summary beyond the progress events: the counts come
 * from those events (the tracker), this from the plan and the report.
 *
 * @param tablesSkipped the tables not copied by design, with the reason
 * @param report the report file, when anything was repaired or rejected
 * @param verification the verification's verdict, empty when it was turned off
 */
public record PortSummary(Map<String, String> tablesSkipped, Optional<Path> report, List<String> verification) {

    public PortSummary {
        tablesSkipped = Map.copyOf(tablesSkipped);
        verification = List.copyOf(verification);
    }
}
