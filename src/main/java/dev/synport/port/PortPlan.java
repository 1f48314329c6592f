package dev.synport.port;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run will do: the tables to copy, which must wait for which (foreign keys), and the
 * tables deliberately not copied with the reason.
 *
 * @param refilledSpecially tables emptied and given Synapse's expected content instead of a copy
 */
public record PortPlan(
        List<TablePlan> tables,
        Map<String, Set<String>> dependencies,
        Map<String, String> skipped,
        Set<String> refilledSpecially) {

    public PortPlan {
        tables = List.copyOf(tables);
        dependencies = Map.copyOf(dependencies);
        skipped = Map.copyOf(skipped);
        refilledSpecially = Set.copyOf(refilledSpecially);
    }
}
