package dev.synport.schema;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.sqlite.SnapshotDdl;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What Synapse's PostgreSQL schema has that the SQLite snapshot does not say, loaded from
 * {@code postgres-schema.yaml} (beside {@code SynapseRules}'s files): column types and
 * order, unlogged tables, SQLite-only indexes, the PostgreSQL-only objects, and the state
 * Synapse leaves each sequence in on a fresh database. Every fact
 * may be limited to schema versions ({@code since}, {@code until}), to snapshots that
 * recorded a schema delta ({@code delta}, {@code without_delta}) or that have a table
 * ({@code table}).
 */
public final class PostgresKnowledge {
    static final String RESOURCE = "/dev/synport/synapse/postgres-schema.yaml";

    /** A fact and the snapshots it applies to. */
    record Conditional<T>(Condition when, T value) {}

    /**
     * Where a fact applies; empty parts always hold. Deltas are files of
     * {@code applied_schema_deltas} as the target records them: the snapshot's and the
     * PostgreSQL-only ones that go with them.
     */
    record Condition(Optional<Integer> since, Optional<Integer> until, List<String> deltas,
            List<String> withoutDeltas, Optional<String> table) {
        boolean holds(int version, Set<String> recordedDeltas, Set<String> tables) {
            return since.map(s -> version >= s).orElse(true) && until.map(u -> version <= u).orElse(true)
                    && recordedDeltas.containsAll(deltas)
                    && withoutDeltas.stream().noneMatch(recordedDeltas::contains)
                    && table.map(tables::contains).orElse(true);
        }
    }

    /**
     * A delta Synapse applies only on PostgreSQL (a {@code .sql.postgres} file, which a SQLite
     * snapshot never records), and its witness: a delta of the release that shipped it, which
     * the snapshot records when that release (or a later one) made it. Without a witness
     * (deltas older than the first supported version), it goes with any snapshot that records
     * deltas of its version or older.
     */
    record PostgresOnlyDelta(SnapshotDdl.Delta delta, Optional<String> witness) {
        boolean recordedWith(SnapshotDdl ddl, int firstRecordedVersion) {
            return witness.map(ddl::hasDelta).orElseGet(() -> delta.version() >= firstRecordedVersion
                    && delta.version() <= ddl.schemaVersion());
        }
    }

    /**
     * Where Synapse leaves a sequence on a fresh database ({@code setval(name, value, called)}):
     * its schema deltas call {@code setval} or {@code nextval} on some sequences, which
     * {@code CREATE SEQUENCE} alone does not reproduce.
     */
    record SequenceState(String name, long value, boolean called) {}

    /** What the conditions of one snapshot's facts are checked against. */
    private record Holds(int version, Set<String> recordedDeltas, Set<String> tables) {
        boolean test(Conditional<?> fact) {
            return fact.when().holds(version, recordedDeltas, tables);
        }
    }

    /** One PostgreSQL-only statement and the phase it belongs to. */
    record Statement(String phase, String sql) {}

    private final List<Integer> supported;
    private final List<Conditional<Map.Entry<String, String>>> columns;
    private final List<Conditional<Map.Entry<String, List<String>>>> columnOrders;
    private final List<Conditional<Map.Entry<String, List<String>>>> checks;
    private final List<Conditional<String>> unlogged;
    private final List<Conditional<String>> sqliteOnlyIndexes;
    private final List<Conditional<String>> sqliteOnlyConstraints;
    private final List<PostgresOnlyDelta> postgresOnlyDeltas;
    private final Map<Integer, Set<String>> knownDeltas;
    private final List<Conditional<Statement>> statements;
    private final List<Conditional<SequenceState>> sequenceStates;

    private PostgresKnowledge(Map<?, ?> yaml) {
        supported = new ArrayList<>();
        list(yaml.get("supported_versions")).forEach(v -> supported.add(((Number) v).intValue()));
        columns = new ArrayList<>();
        for (Object o : list(yaml.get("columns"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            columns.add(new Conditional<>(condition(m), Map.entry(m.get("column").toString(), m.get("def").toString())));
        }
        columnOrders = lists(yaml.get("column_order"), "columns");
        checks = lists(yaml.get("checks"), "checks");
        unlogged = names(yaml.get("unlogged_tables"));
        sqliteOnlyIndexes = names(yaml.get("sqlite_only_indexes"));
        sqliteOnlyConstraints = names(yaml.get("sqlite_only_constraints"));
        postgresOnlyDeltas = new ArrayList<>();
        for (Object o : list(yaml.get("postgres_only_deltas"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            postgresOnlyDeltas.add(new PostgresOnlyDelta(new SnapshotDdl.Delta(((Number) m.get("version")).intValue(),
                    m.get("file").toString()), Optional.ofNullable(m.get("with")).map(Object::toString)));
        }
        knownDeltas = new HashMap<>();
        if (yaml.get("known_deltas") instanceof Map<?, ?> known) {
            known.forEach((version, files) -> knownDeltas.put(((Number) version).intValue(),
                    Set.copyOf(strings(files))));
        }
        statements = new ArrayList<>();
        for (Object o : list(yaml.get("objects"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            String phase = String.valueOf(m.get("phase"));
            if (!PHASES.contains(phase)) {
                throw new IllegalStateException(RESOURCE + ": unknown phase " + phase + " of " + m.get("name"));
            }
            String sql = m.get("sql").toString().strip();
            if (sql.endsWith(";")) {
                sql = sql.substring(0, sql.length() - 1);
            }
            statements.add(new Conditional<>(condition(m), new Statement(phase, sql)));
        }
        sequenceStates = new ArrayList<>();
        for (Object o : list(yaml.get("sequence_states"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            sequenceStates.add(new Conditional<>(condition(m), new SequenceState(m.get("name").toString(),
                    ((Number) m.get("value")).longValue(), (Boolean) m.get("called"))));
        }
    }

    private static final List<String> PHASES = List.of("before_tables", "after_tables", "after_data", "after_keys");

    private static List<Conditional<Map.Entry<String, List<String>>>> lists(Object yaml, String field) {
        List<Conditional<Map.Entry<String, List<String>>>> out = new ArrayList<>();
        for (Object o : list(yaml)) {
            Map<?, ?> m = (Map<?, ?>) o;
            List<String> values = new ArrayList<>();
            list(m.get(field)).forEach(c -> values.add(c.toString()));
            out.add(new Conditional<>(condition(m), Map.entry(m.get("table").toString(), values)));
        }
        return out;
    }

    public static PostgresKnowledge load() {
        try (InputStream in = PostgresKnowledge.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new PostgresKnowledge((Map<?, ?>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No facts at all, for these versions: the bare translation (to derive the facts from). */
    static PostgresKnowledge bare(List<Integer> versions) {
        return new PostgresKnowledge(Map.of("supported_versions", versions));
    }

    /** The schema versions whose PostgreSQL schema this file knows how to create. */
    public List<Integer> supportedVersions() {
        return List.copyOf(supported);
    }

    /**
     * Refuses a snapshot whose schema this file cannot reproduce: a schema version it has no
     * facts for, or deltas newer than its first version that no release it knows recorded.
     */
    void checkSupported(SnapshotDdl ddl) {
        int version = ddl.schemaVersion();
        if (!supported.contains(version)) {
            throw unsupported("the snapshot has Synapse schema version " + version
                    + ", but this tool can create the PostgreSQL schema only for versions " + ranges(supported));
        }
        int first = supported.stream().mapToInt(Integer::intValue).min().orElseThrow();
        List<String> unknown = ddl.appliedDeltas().stream().filter(d -> d.version() > first)
                .filter(d -> !knownDeltas.getOrDefault(d.version(), Set.of())
                        .contains(d.file().substring(d.file().indexOf('/') + 1)))
                .map(SnapshotDdl.Delta::file).sorted().toList();
        if (!unknown.isEmpty()) {
            throw unsupported("the snapshot has Synapse schema version " + version + " with " + unknown.size()
                    + " schema delta(s) this tool does not know (" + String.join(", ", unknown.subList(0,
                    Math.min(5, unknown.size()))) + (unknown.size() > 5 ? ", ..." : "")
                    + "), so it cannot create that release's PostgreSQL schema exactly");
        }
    }

    private static PortException unsupported(String what) {
        return new PortException(FailureReason.PORT_FAILED, what + "; prepare the target database with that"
                + " Synapse release's update_synapse_database (or by starting it on the database once), then run"
                + " the port again");
    }

    /** 72-74, 76-89, 91-94. */
    private static String ranges(List<Integer> versions) {
        List<String> out = new ArrayList<>();
        List<Integer> sorted = versions.stream().sorted().toList();
        for (int i = 0; i < sorted.size(); i++) {
            int start = sorted.get(i);
            while (i + 1 < sorted.size() && sorted.get(i + 1) == sorted.get(i) + 1) {
                i++;
            }
            out.add(start == sorted.get(i) ? String.valueOf(start) : start + "-" + sorted.get(i));
        }
        return String.join(", ", out);
    }

    /**
     * The rows of {@code applied_schema_deltas} Synapse would have written on PostgreSQL: the
     * snapshot's without its SQLite-only files, with the PostgreSQL-only files of the same
     * range of delta versions.
     */
    List<SnapshotDdl.Delta> postgresDeltas(SnapshotDdl ddl) {
        List<SnapshotDdl.Delta> out = new ArrayList<>();
        ddl.appliedDeltas().stream().filter(d -> !d.file().endsWith(".sql.sqlite")).forEach(out::add);
        out.addAll(postgresOnlyDeltas(ddl));
        return out;
    }

    private List<SnapshotDdl.Delta> postgresOnlyDeltas(SnapshotDdl ddl) {
        int first = ddl.appliedDeltas().stream().mapToInt(SnapshotDdl.Delta::version).min().orElse(Integer.MAX_VALUE);
        return postgresOnlyDeltas.stream().filter(d -> d.recordedWith(ddl, first)).map(PostgresOnlyDelta::delta)
                .toList();
    }

    /** The facts that hold for this snapshot. */
    Applicable applicableTo(SnapshotDdl ddl) {
        Set<String> tables = new HashSet<>();
        ddl.entries().stream().filter(e -> e.type().equals("table")).forEach(e -> tables.add(e.name()));
        Set<String> recorded = new HashSet<>();
        ddl.appliedDeltas().forEach(d -> recorded.add(d.file()));
        postgresOnlyDeltas(ddl).forEach(d -> recorded.add(d.file()));
        Holds holds = new Holds(ddl.schemaVersion(), recorded, tables);
        Map<String, List<String>> statementsByPhase = new HashMap<>();
        for (Conditional<Statement> s : statements) {
            if (holds.test(s)) {
                statementsByPhase.computeIfAbsent(s.value().phase(), k -> new ArrayList<>()).add(s.value().sql());
            }
        }
        return new Applicable(holding(columns, holds), holdingLists(columnOrders, holds),
                holdingLists(checks, holds), names(unlogged, holds), names(sqliteOnlyIndexes, holds),
                names(sqliteOnlyConstraints, holds),
                statementsByPhase.getOrDefault("before_tables", List.of()),
                statementsByPhase.getOrDefault("after_tables", List.of()),
                statementsByPhase.getOrDefault("after_data", List.of()),
                statementsByPhase.getOrDefault("after_keys", List.of()),
                sequenceStates.stream().filter(holds::test).map(Conditional::value).toList());
    }

    private static Map<String, List<String>> holdingLists(List<Conditional<Map.Entry<String, List<String>>>> facts,
            Holds holds) {
        Map<String, List<String>> out = new HashMap<>();
        facts.stream().filter(holds::test)
                .forEach(f -> out.put(f.value().getKey(), f.value().getValue()));
        return out;
    }

    /**
     * The facts for one snapshot. Column keys are {@code table.column}; constraint keys
     * {@code table KIND (columns)}, e.g. {@code pushers PRIMARY KEY (id)}.
     */
    record Applicable(Map<String, String> columns, Map<String, List<String>> columnOrders,
            Map<String, List<String>> checks, Set<String> unlogged, Set<String> sqliteOnlyIndexes,
            Set<String> sqliteOnlyConstraints, List<String> beforeTables, List<String> afterTables,
            List<String> afterData, List<String> afterKeys, List<SequenceState> sequenceStates) {

        /** PostgreSQL's definition of the column (all but its name), if it differs from the translation. */
        Optional<String> column(String table, String column) {
            return Optional.ofNullable(columns.get(table + "." + column));
        }

        /** PostgreSQL's CHECK constraints of the table, if they differ from the snapshot's. */
        Optional<List<String>> checks(String table) {
            return Optional.ofNullable(checks.get(table));
        }

        /** The table's columns in PostgreSQL's order (the snapshot's unless the file says otherwise). */
        List<TableDef.Column> columnOrder(TableDef table) {
            List<String> order = columnOrders.get(table.name());
            if (order == null) {
                return table.columns();
            }
            List<TableDef.Column> columns = new ArrayList<>();
            for (String name : order) {
                if (column(table.name(), name).isPresent() && table.column(name).isEmpty()) {
                    columns.add(new TableDef.Column(name, "", false, Optional.empty())); // PostgreSQL only
                    continue;
                }
                columns.add(table.column(name).orElseThrow(() -> new PortException(FailureReason.PORT_FAILED,
                        "the snapshot's table " + table.name() + " has no column " + name + ", which Synapse's"
                                + " PostgreSQL schema has at this version; prepare the target with Synapse's"
                                + " update_synapse_database")));
            }
            if (!order.containsAll(table.columns().stream().map(TableDef.Column::name).toList())) {
                throw new PortException(FailureReason.PORT_FAILED, "the snapshot's table " + table.name()
                        + " has columns that Synapse's PostgreSQL schema does not list at this version; prepare"
                        + " the target with Synapse's update_synapse_database");
            }
            return columns;
        }
    }

    private static Map<String, String> holding(List<Conditional<Map.Entry<String, String>>> facts, Holds holds) {
        Map<String, String> out = new HashMap<>();
        facts.stream().filter(holds::test).forEach(f -> out.put(f.value().getKey(),
                f.value().getValue()));
        return out;
    }

    private static Set<String> names(List<Conditional<String>> facts, Holds holds) {
        Set<String> out = new HashSet<>();
        facts.stream().filter(holds::test).forEach(f -> out.add(f.value()));
        return out;
    }

    /** Plain names, or {@code {name: n, since: ...}} entries. */
    private static List<Conditional<String>> names(Object yaml) {
        List<Conditional<String>> out = new ArrayList<>();
        for (Object o : list(yaml)) {
            if (o instanceof Map<?, ?> m) {
                out.add(new Conditional<>(condition(m), m.get("name").toString()));
            } else {
                out.add(new Conditional<>(always(), o.toString()));
            }
        }
        return out;
    }

    private static Condition always() {
        return new Condition(Optional.empty(), Optional.empty(), List.of(), List.of(), Optional.empty());
    }

    private static Condition condition(Map<?, ?> m) {
        return new Condition(Optional.ofNullable((Number) m.get("since")).map(Number::intValue),
                Optional.ofNullable((Number) m.get("until")).map(Number::intValue), strings(m.get("delta")),
                strings(m.get("without_delta")), Optional.ofNullable(m.get("table")).map(Object::toString));
    }

    private static List<String> strings(Object yaml) {
        List<String> out = new ArrayList<>();
        if (yaml instanceof List<?> l) {
            l.forEach(o -> out.add(o.toString()));
        } else if (yaml != null) {
            out.add(yaml.toString());
        }
        return out;
    }

    private static List<?> list(Object yaml) {
        return yaml instanceof List<?> l ? l : List.of();
    }
}
