package dev.synport.schema;

import dev.synport.FailureReason;
import dev.synport.Identifiers;
import dev.synport.PortException;
import dev.synport.sqlite.SnapshotDdl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the statements that give an empty PostgreSQL database the schema Synapse creates
 * there: the snapshot's own tables and indexes translated from SQLite, corrected and
 * completed by {@link PostgresKnowledge} (types, column order, objects only PostgreSQL has).
 */
public final class SchemaBuilder {
    private static final Set<String> FTS_SHADOW_SUFFIXES = Set.of("content", "docsize", "segdir", "segments",
            "stat", "config", "data", "idx");

    private final PostgresKnowledge knowledge;

    public SchemaBuilder(PostgresKnowledge knowledge) {
        this.knowledge = knowledge;
    }

    public SchemaScript build(SnapshotDdl ddl) {
        knowledge.checkSupported(ddl);
        PostgresKnowledge.Applicable facts = knowledge.applicableTo(ddl);
        Map<String, TableDef> tables = new LinkedHashMap<>();
        List<IndexDef> indexes = new ArrayList<>();
        Set<String> virtual = new HashSet<>();
        for (SnapshotDdl.Entry e : ddl.entries()) {
            if (e.type().equals("table") && e.sql().toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL TABLE")) {
                virtual.add(e.name());
            }
        }
        for (SnapshotDdl.Entry e : ddl.entries()) {
            if (e.name().startsWith("sqlite_") || e.sql().isEmpty() || virtual.contains(e.table())
                    || isShadowTable(e.table(), virtual)) {
                continue;
            }
            try {
                switch (e.type()) {
                    case "table" -> tables.put(e.name(), SqliteDdl.table(e.sql()));
                    case "index" -> {
                        if (!facts.sqliteOnlyIndexes().contains(e.name())) {
                            indexes.add(SqliteDdl.index(e.sql()));
                        }
                    }
                    default -> { } // SQLite triggers: PostgreSQL's equivalents are in the knowledge file
                }
            } catch (IllegalArgumentException ex) {
                throw new PortException(FailureReason.PORT_FAILED, "cannot translate the snapshot's definition of "
                        + e.type() + " " + e.name() + ": " + ex.getMessage(), ex);
            }
        }

        List<String> before = new ArrayList<>(facts.beforeTables());
        List<String> keys = new ArrayList<>();
        List<String> foreignKeys = new ArrayList<>();
        for (TableDef table : tables.values()) {
            before.add(createTable(table, facts));
            for (TableDef.Constraint c : table.constraints()) {
                String add = "ALTER TABLE " + q(table.name()) + " ADD "
                        + c.name().map(n -> "CONSTRAINT " + q(n) + " ").orElse("");
                String cols = c.columns().stream().map(SchemaBuilder::q).collect(Collectors.joining(", "));
                if (c.kind() != TableDef.Kind.CHECK && facts.sqliteOnlyConstraints().contains(table.name() + " "
                        + c.kind().name().replace('_', ' ') + " (" + String.join(", ", c.columns()) + ")")) {
                    continue;
                }
                switch (c.kind()) {
                    case PRIMARY_KEY -> keys.add(add + "PRIMARY KEY (" + cols + ")");
                    case UNIQUE -> keys.add(add + "UNIQUE (" + cols + ")");
                    case FOREIGN_KEY -> foreignKeys.add(add + "FOREIGN KEY (" + cols + ") REFERENCES " + c.body());
                    case CHECK -> { } // inside CREATE TABLE
                }
            }
        }
        before.addAll(facts.afterTables());
        before.addAll(bookkeeping(ddl));
        for (PostgresKnowledge.SequenceState state : facts.sequenceStates()) {
            before.add("SELECT setval(" + Identifiers.literal(q(state.name())) + "::regclass, " + state.value() + ", "
                    + state.called() + ")");
        }
        List<String> after = new ArrayList<>(keys);
        for (IndexDef index : indexes) {
            after.add(createIndex(index));
        }
        after.addAll(facts.afterData());
        after.addAll(foreignKeys);
        after.addAll(facts.afterKeys());
        return new SchemaScript(ddl.schemaVersion(), before, after);
    }

    /**
     * Synapse's record of the schema it created: {@code schema_version} and
     * {@code applied_schema_deltas}, which the port does not copy. The other rows Synapse
     * writes into a fresh database (stream positions, {@code schema_compat_version}, ...)
     * are in the snapshot too and are ported with it.
     */
    private List<String> bookkeeping(SnapshotDdl ddl) {
        List<String> rows = new ArrayList<>();
        rows.add("INSERT INTO schema_version (lock, version, upgraded) VALUES ('X', " + ddl.schemaVersion() + ", "
                + ddl.upgraded() + ")");
        List<SnapshotDdl.Delta> deltas = knowledge.postgresDeltas(ddl);
        if (!deltas.isEmpty()) {
            rows.add("INSERT INTO applied_schema_deltas (version, file) VALUES " + deltas.stream()
                    .map(d -> "(" + d.version() + ", " + Identifiers.literal(d.file()) + ")")
                    .collect(Collectors.joining(", ")));
        }
        return rows;
    }

    private static boolean isShadowTable(String table, Set<String> virtual) {
        int cut = table.lastIndexOf('_');
        return cut > 0 && virtual.contains(table.substring(0, cut))
                && FTS_SHADOW_SUFFIXES.contains(table.substring(cut + 1));
    }

    private static String createTable(TableDef table, PostgresKnowledge.Applicable facts) {
        Set<String> primaryKey = new HashSet<>();
        table.constraints().stream().filter(c -> c.kind() == TableDef.Kind.PRIMARY_KEY)
                .forEach(c -> primaryKey.addAll(c.columns()));
        List<String> lines = new ArrayList<>();
        for (TableDef.Column column : facts.columnOrder(table)) {
            Optional<String> known = facts.column(table.name(), column.name());
            if (known.isPresent()) {
                lines.add(q(column.name()) + " " + known.get());
                continue;
            }
            String type = pgType(column.type(), table, column);
            StringBuilder line = new StringBuilder(q(column.name())).append(' ').append(type);
            column.defaultValue().map(d -> pgDefault(d, type)).filter(d -> !d.equalsIgnoreCase("NULL"))
                    .ifPresent(d -> line.append(" DEFAULT ").append(d));
            if (column.notNull() || primaryKey.contains(column.name())) {
                line.append(" NOT NULL");
            }
            lines.add(line.toString());
        }
        Optional<List<String>> knownChecks = facts.checks(table.name());
        if (knownChecks.isPresent()) {
            lines.addAll(knownChecks.get());
        } else {
            for (TableDef.Constraint c : table.constraints()) {
                if (c.kind() == TableDef.Kind.CHECK) {
                    lines.add(c.name().map(n -> "CONSTRAINT " + q(n) + " ").orElse("") + "CHECK (" + c.body() + ")");
                }
            }
        }
        String unlogged = facts.unlogged().contains(table.name()) ? "UNLOGGED " : "";
        return "CREATE " + unlogged + "TABLE " + q(table.name()) + " (\n    " + String.join(",\n    ", lines) + "\n)";
    }

    private static String createIndex(IndexDef index) {
        String keys = index.keys().stream().map(SchemaBuilder::indexKey).collect(Collectors.joining(", "));
        return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX " + q(index.name()) + " ON " + q(index.table())
                + " (" + keys + ")" + index.where().map(w -> " WHERE " + w).orElse("");
    }

    private static String indexKey(String key) {
        return key.matches("[A-Za-z_][A-Za-z0-9_]*") ? q(key.toLowerCase(Locale.ROOT)) : key;
    }

    /** The PostgreSQL type for a SQLite declared type, where Synapse's DDL is shared by both engines. */
    static String pgType(String declared, TableDef table, TableDef.Column column) {
        String t = declared.toUpperCase(Locale.ROOT);
        return switch (t.replaceAll("\\(.*", "").strip()) {
            case "TEXT" -> "text";
            case "INTEGER", "INT" -> "integer";
            case "BIGINT" -> "bigint";
            case "SMALLINT" -> "smallint";
            case "BOOL", "BOOLEAN" -> "boolean";
            case "BYTEA", "BLOB" -> "bytea";
            case "REAL" -> "real";
            case "DOUBLE PRECISION", "FLOAT" -> "double precision";
            case "JSONB" -> "jsonb";
            case "VARCHAR" -> "character varying" + t.substring(t.indexOf('('));
            case "CHAR" -> "character" + t.substring(t.indexOf('('));
            default -> throw new PortException(FailureReason.PORT_FAILED, "column " + table.name() + "."
                    + column.name() + " has the SQLite type '" + declared + "', which has no known PostgreSQL type");
        };
    }

    private static String pgDefault(String value, String type) {
        if (type.equals("boolean")) {
            if (value.equals("0") || value.equalsIgnoreCase("false")) {
                return "false";
            }
            if (value.equals("1") || value.equalsIgnoreCase("true")) {
                return "true";
            }
        }
        return value;
    }

    static String q(String name) {
        return Identifiers.quote(name);
    }
}
