package dev.synport.port;

import java.util.HashSet;
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

    /** {@code tables} and the planned tables that reference them, directly or not: emptying a table empties those. */
    public Set<String> withChildren(Set<String> tables) {
        Set<String> all = new HashSet<>(tables);
        boolean grew = !all.isEmpty();
        while (grew) {
            grew = false;
            for (Map.Entry<String, Set<String>> table : dependencies.entrySet()) {
                if (!all.contains(table.getKey()) && table.getValue().stream().anyMatch(all::contains)) {
                    grew = all.add(table.getKey());
                }
            }
        }
        return all;
    }
}
