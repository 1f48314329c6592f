package dev.synport.summary;

import dev.synport.progress.PlannedTable;
import dev.synport.progress.TableProgress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One table's result in this run, as the summary and the JSON summary give it.
 *
 * @param rowsBefore rows earlier runs had already ported (not read again)
 * @param rowsRead rows this run read from the snapshot and handled (written or rejected)
 * @param repaired values repaired (a row can have several)
 */
record TableResult(String name, String state, long rowsBefore, long rowsPlanned, long rowsRead, long rowsWritten,
        long repaired, long rejected, double seconds) {

    static List<TableResult> of(List<TableProgress> tables, List<PlannedTable> plan) {
        Map<String, PlannedTable> planned = plan.stream().collect(Collectors.toMap(PlannedTable::name,
                Function.identity(), (a, b) -> a));
        return tables.stream().map(t -> new TableResult(t.name(), state(t),
                planned.containsKey(t.name()) ? planned.get(t.name()).rowsBefore() : 0, t.total(), t.done(),
                t.done() - t.rejected(), t.repaired(), t.rejected(), t.elapsed().toMillis() / 1000.0))
                .sorted(Comparator.comparingLong(TableResult::rowsRead).reversed()
                        .thenComparing(TableResult::name))
                .toList();
    }

    /** "complete", "partial" (started, not finished) or "not_started". */
    private static String state(TableProgress t) {
        if (t.state() == TableProgress.State.DONE) {
            return "complete";
        }
        return t.state() == TableProgress.State.WAITING ? "not_started" : "partial";
    }

    boolean complete() {
        return state.equals("complete");
    }

    boolean hasFindings() {
        return repaired > 0 || rejected > 0;
    }
}
