package dev.synport.port;

import dev.synport.FailureReason;
import dev.synport.Identifiers;
import dev.synport.PortException;
import dev.synport.postgres.ColumnKind;
import dev.synport.postgres.ForeignKey;
import dev.synport.postgres.TargetCatalog;
import dev.synport.postgres.TargetColumn;
import dev.synport.postgres.TargetTable;
import dev.synport.sqlite.SnapshotSchema;
import dev.synport.sqlite.SourceTable;
import dev.synport.synapse.SynapseRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what to copy and how, from the two schemas and {@link SynapseRules}, and refuses
 * to go on when the schemas do not match: a snapshot column the target lacks would be lost,
 * a required target column the snapshot lacks could not be filled.
 */
public final class Planner {
    private static final List<String> FTS_SHADOW_SUFFIXES =
            List.of("_content", "_segdir", "_segments", "_docsize", "_stat", "_data", "_idx", "_config");
    static final String EVENT_SEARCH = "event_search";
    public static final String USER_DIRECTORY_STREAM_POS = "user_directory_stream_pos";
    /** Copied, with the rebuilds the port queues among its rows. */
    public static final String BACKGROUND_UPDATES = "background_updates";

    private final SynapseRules rules;
    private final Optional<String> serverName;

    /** @param serverName the homeserver's name, for columns Synapse derives from a localpart */
    public Planner(SynapseRules rules, Optional<String> serverName) {
        this.rules = rules;
        this.serverName = serverName;
    }

    public PortPlan plan(SnapshotSchema snapshot, TargetCatalog target) {
        Map<String, String> skipped = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> shadows = ftsShadowTables(snapshot);
        Map<String, SourceTable> copied = new TreeMap<>();
        Set<String> special = new TreeSet<>();
        for (SourceTable table : snapshot.tables().values()) {
            String name = table.name();
            if (name.startsWith("sqlite_") || shadows.contains(name)) {
                continue;
            }
            var reason = rules.skipReason(name);
            if (reason.isPresent()) {
                skipped.put(name, reason.get());
            } else if (target.table(name).isEmpty()) {
                problems.add("table " + name + " is missing in the target");
            } else if (name.equals(USER_DIRECTORY_STREAM_POS)) {
                special.add(name);
            } else if (!table.hasRowid()) {
                problems.add("table " + name + " is WITHOUT ROWID, which this tool cannot resume");
            } else {
                copied.put(name, table);
            }
        }
        List<TablePlan> plans = new ArrayList<>();
        for (SourceTable table : copied.values()) {
            TargetTable targetTable = target.table(table.name()).orElseThrow();
            plans.add(table.name().equals(EVENT_SEARCH)
                    ? eventSearch(table, targetTable, snapshot, problems)
                    : regular(table, targetTable, target, problems));
        }
        if (!problems.isEmpty()) {
            throw new PortException(FailureReason.PORT_FAILED, "the target's schema does not match the snapshot's"
                    + " (both at schema version " + snapshot.schemaVersion() + "): " + summarise(problems)
                    + "; prepare the target with the same Synapse release that wrote the snapshot"
                    + " (update_synapse_database --database-config homeserver-postgres.yaml)");
        }
        Map<String, Set<String>> dependencies = dependencies(plans, target, special);
        return new PortPlan(demoteAppendOnly(plans, dependencies), dependencies, skipped, special);
    }

    private TablePlan regular(SourceTable source, TargetTable target, TargetCatalog catalog, List<String> problems) {
        List<ColumnPlan> columns = new ArrayList<>();
        Set<String> mapped = new HashSet<>();
        for (String column : source.columns()) {
            var targetColumn = target.column(column);
            if (targetColumn.isEmpty()) {
                problems.add("column " + source.name() + "." + column + " is missing in the target");
                continue;
            }
            TargetColumn tc = targetColumn.get();
            mapped.add(tc.name());
            if (!tc.generated()) {
                columns.add(new ColumnPlan(column, expression("", column, tc.kind()), tc.name(), tc.kind()));
            }
        }
        requireFilled(source.name(), target, mapped, problems);
        fillUserIds(source.name(), columns);
        List<ForeignKey> selfReferences = catalog.foreignKeys().stream()
                .filter(fk -> fk.table().equals(source.name()) && fk.selfReferencing()).toList();
        return new TablePlan(source.name(), Identifiers.quote(source.name()), "rowid", columns,
                rules.isAppendOnly(source.name()), new DirectWriter(source.name(), columns), selfReferences);
    }

    private void fillUserIds(String table, List<ColumnPlan> columns) {
        if (serverName.isEmpty()) {
            return;
        }
        for (int i = 0; i < columns.size(); i++) {
            ColumnPlan column = columns.get(i);
            Optional<String> localpart = rules.userIdLocalpart(table, column.targetName());
            if (localpart.isEmpty()) {
                continue;
            }
            for (int j = 0; j < columns.size(); j++) {
                if (columns.get(j).targetName().equals(localpart.get())) {
                    columns.set(i, new ColumnPlan(column.sourceName(), column.sourceExpression(), column.targetName(),
                            column.kind(), Optional.of(new ColumnPlan.UserIdFill(j, localpart.get(), serverName.get()))));
                }
            }
        }
    }

    private TablePlan eventSearch(SourceTable source, TargetTable target, SnapshotSchema snapshot,
            List<String> problems) {
        List<String> text = List.of("event_id", "room_id", "sender", "key", "value");
        for (String column : text) {
            if (!source.columns().contains(column)) {
                problems.add("column event_search." + column + " is missing in the snapshot");
            }
        }
        for (String column : List.of("vector", "origin_server_ts", "stream_ordering")) {
            if (target.column(column).isEmpty()) {
                problems.add("column event_search." + column + " is missing in the target");
            }
        }
        if (!snapshot.hasColumn("events", "origin_server_ts")) {
            problems.add("column events.origin_server_ts is missing in the snapshot");
        }
        List<ColumnPlan> columns = new ArrayList<>();
        for (String column : text) {
            columns.add(new ColumnPlan(column, expression("s.", column, ColumnKind.TEXT), column, ColumnKind.TEXT));
        }
        for (String column : List.of("origin_server_ts", "stream_ordering")) {
            columns.add(new ColumnPlan("events." + column, "e." + Identifiers.quote(column), column, ColumnKind.BIGINT));
        }
        // A LEFT JOIN: a search row whose event is missing keeps its text (the official script drops it).
        String from = Identifiers.quote(EVENT_SEARCH) + " AS s LEFT JOIN " + Identifiers.quote("events")
                + " AS e ON e.event_id = s.event_id AND e.room_id = s.room_id";
        return new TablePlan(EVENT_SEARCH, from, "s.rowid", columns, rules.isAppendOnly(EVENT_SEARCH),
                new EventSearchWriter(), List.of());
    }

    private static void requireFilled(String table, TargetTable target, Set<String> mapped, List<String> problems) {
        for (TargetColumn column : target.columns()) {
            if (!mapped.contains(column.name()) && !column.nullable() && !column.hasDefault()
                    && !column.identity() && !column.generated()) {
                problems.add("column " + table + "." + column.name() + " is required in the target but missing"
                        + " in the snapshot");
            }
        }
    }

    private static String expression(String prefix, String column, ColumnKind kind) {
        String quoted = prefix + Identifiers.quote(column);
        return kind.readsBytes() ? "CAST(" + quoted + " AS BLOB)" : quoted;
    }

    private static Map<String, Set<String>> dependencies(List<TablePlan> plans, TargetCatalog target,
            Set<String> special) {
        Set<String> planned = new HashSet<>(special);
        plans.forEach(p -> planned.add(p.name()));
        Map<String, Set<String>> dependencies = new HashMap<>();
        for (TablePlan plan : plans) {
            Set<String> parents = new TreeSet<>();
            for (ForeignKey fk : target.foreignKeys()) {
                if (fk.table().equals(plan.name()) && !fk.selfReferencing() && planned.contains(fk.referencedTable())) {
                    parents.add(fk.referencedTable());
                }
            }
            dependencies.put(plan.name(), parents);
        }
        return dependencies;
    }

    /**
     * An append-only table that references a refilled table must be refilled too: emptying the
     * parent would otherwise need a cascade that empties the child behind its checkpoint.
     */
    private static List<TablePlan> demoteAppendOnly(List<TablePlan> plans, Map<String, Set<String>> dependencies) {
        Map<String, TablePlan> byName = new HashMap<>();
        plans.forEach(p -> byName.put(p.name(), p));
        boolean changed = true;
        while (changed) {
            changed = false;
            for (TablePlan plan : List.copyOf(byName.values())) {
                if (!plan.appendOnly()) {
                    continue;
                }
                boolean refilledParent = dependencies.get(plan.name()).stream()
                        .anyMatch(parent -> byName.containsKey(parent) && !byName.get(parent).appendOnly());
                if (refilledParent) {
                    byName.put(plan.name(), new TablePlan(plan.name(), plan.sourceFrom(), plan.rowidExpression(),
                            plan.columns(), false, plan.target(), plan.selfReferences()));
                    changed = true;
                }
            }
        }
        return plans.stream().map(p -> byName.get(p.name())).toList();
    }

    private static Set<String> ftsShadowTables(SnapshotSchema snapshot) {
        Set<String> shadows = new HashSet<>();
        for (SourceTable table : snapshot.tables().values()) {
            if (table.virtual()) {
                FTS_SHADOW_SUFFIXES.forEach(suffix -> shadows.add(table.name() + suffix));
            }
        }
        return shadows;
    }

    private static String summarise(List<String> problems) {
        int shown = Math.min(problems.size(), 5);
        String list = String.join("; ", problems.subList(0, shown));
        return problems.size() > shown ? list + "; and " + (problems.size() - shown) + " more" : list;
    }
}
