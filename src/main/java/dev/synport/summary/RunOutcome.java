package dev.synport.summary;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How a run ended, beyond what its progress shows.
 *
 * @param exitCode the process's exit code
 * @param error the one-line error, for a failed run
 * @param report the report file, when anything was repaired or rejected
 * @param skipped tables deliberately not copied, with the reason (known once the run is planned)
 * @param continueCommand the command line that continues (or repeats) the port
 */
public record RunOutcome(Status status, int exitCode, Optional<String> error, Optional<Path> report,
        Map<String, String> skipped, String continueCommand) {

    /** The three ways a run ends. */
    public enum Status {
        OK,
        FAILED,
        INTERRUPTED
    }

    public RunOutcome {
        skipped = Map.copyOf(skipped);
    }
}
