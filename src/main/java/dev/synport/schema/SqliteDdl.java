package dev.synport.schema;

import dev.synport.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Parses the {@code CREATE TABLE} and {@code CREATE INDEX} statements that SQLite keeps in {@code sqlite_master}. */
final class SqliteDdl {
    private SqliteDdl() {}

    static TableDef table(String sql) {
        SqlTokens t = SqlTokens.of(sql);
        t.expect("CREATE");
        t.accept("TEMP");
        t.accept("TEMPORARY");
        t.expect("TABLE");
        skipIfNotExists(t);
        String name = t.identifier();
        t.expect("(");
        List<TableDef.Column> columns = new ArrayList<>();
        List<TableDef.Constraint> constraints = new ArrayList<>();
        do {
            if (startsTableConstraint(t)) {
                constraints.add(tableConstraint(t));
            } else {
                column(t, columns, constraints);
            }
        } while (t.accept(","));
        t.expect(")");
        return new TableDef(name, columns, constraints);
    }

    private static boolean startsTableConstraint(SqlTokens t) {
        return t.peekIs("CONSTRAINT") || t.peekIs("PRIMARY") || t.peekIs("UNIQUE") || t.peekIs("CHECK")
                || t.peekIs("FOREIGN");
    }

    private static TableDef.Constraint tableConstraint(SqlTokens t) {
        Optional<String> name = t.accept("CONSTRAINT") ? Optional.of(t.identifier()) : Optional.empty();
        if (t.accept("PRIMARY")) {
            t.expect("KEY");
            List<String> cols = t.identifierList();
            boolean autoincrement = t.accept("AUTOINCREMENT");
            skipConflictClause(t);
            return new TableDef.Constraint(TableDef.Kind.PRIMARY_KEY, name, cols, "", autoincrement);
        }
        if (t.accept("UNIQUE")) {
            List<String> cols = t.identifierList();
            skipConflictClause(t);
            return new TableDef.Constraint(TableDef.Kind.UNIQUE, name, cols, "", false);
        }
        if (t.accept("CHECK")) {
            return new TableDef.Constraint(TableDef.Kind.CHECK, name, List.of(), t.parenthesised(), false);
        }
        t.expect("FOREIGN");
        t.expect("KEY");
        List<String> cols = t.identifierList();
        t.expect("REFERENCES");
        return new TableDef.Constraint(TableDef.Kind.FOREIGN_KEY, name, cols, references(t), false);
    }

    private static void column(SqlTokens t, List<TableDef.Column> columns, List<TableDef.Constraint> constraints) {
        String name = t.identifier();
        String type = t.until("CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
                "REFERENCES", "GENERATED", "AS").replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        boolean notNull = false;
        Optional<String> defaultValue = Optional.empty();
        List<String> self = List.of(name);
        while (!t.atEnd() && !t.peekIs(",") && !t.peekIs(")")) {
            Optional<String> constraintName = t.accept("CONSTRAINT") ? Optional.of(t.identifier()) : Optional.empty();
            if (t.accept("PRIMARY")) {
                t.expect("KEY");
                if (!t.accept("ASC")) {
                    t.accept("DESC");
                }
                skipConflictClause(t);
                boolean autoincrement = t.accept("AUTOINCREMENT");
                constraints.add(new TableDef.Constraint(TableDef.Kind.PRIMARY_KEY, constraintName, self, "",
                        autoincrement));
            } else if (t.accept("NOT")) {
                t.expect("NULL");
                skipConflictClause(t);
                notNull = true;
            } else if (t.accept("NULL")) {
                skipConflictClause(t);
            } else if (t.accept("UNIQUE")) {
                skipConflictClause(t);
                constraints.add(new TableDef.Constraint(TableDef.Kind.UNIQUE, constraintName, self, "", false));
            } else if (t.accept("CHECK")) {
                constraints.add(new TableDef.Constraint(TableDef.Kind.CHECK, constraintName, self, t.parenthesised(),
                        false));
            } else if (t.accept("DEFAULT")) {
                defaultValue = Optional.of(t.peekIs("(") ? "(" + t.parenthesised() + ")" : defaultLiteral(t));
            } else if (t.accept("COLLATE")) {
                t.identifier();
            } else if (t.accept("REFERENCES")) {
                constraints.add(new TableDef.Constraint(TableDef.Kind.FOREIGN_KEY, constraintName, self,
                        references(t), false));
            } else {
                throw new IllegalArgumentException("unsupported column constraint '" + t.peek().text() + "' on " + name);
            }
        }
        columns.add(new TableDef.Column(name, type, notNull, defaultValue));
    }

    private static String defaultLiteral(SqlTokens t) {
        String sign = t.peekIs("-") || t.peekIs("+") ? t.next().text() : "";
        return sign + t.next().text();
    }

    private static void skipIfNotExists(SqlTokens t) {
        if (t.accept("IF")) {
            t.expect("NOT");
            t.expect("EXISTS");
        }
    }

    private static void skipConflictClause(SqlTokens t) {
        if (t.accept("ON")) {
            t.expect("CONFLICT");
            t.next();
        }
    }

    /**
     * The text of a foreign-key clause after REFERENCES, for PostgreSQL: the table and columns
     * quoted (they come from the snapshot), then only the clauses a foreign key may have.
     */
    private static String references(SqlTokens t) {
        StringBuilder out = new StringBuilder(Identifiers.quote(t.identifier()));
        if (t.peekIs("(")) {
            out.append('(').append(t.identifierList().stream().map(Identifiers::quote)
                    .collect(Collectors.joining(", "))).append(')');
        }
        while (true) {
            if (t.accept("ON")) {
                String event = t.next().text().toUpperCase(Locale.ROOT);
                if (!event.equals("DELETE") && !event.equals("UPDATE")) {
                    throw new IllegalArgumentException("unexpected ON " + event + " in a foreign key");
                }
                out.append(" ON ").append(event).append(' ').append(referentialAction(t));
            } else if (t.accept("MATCH")) {
                out.append(" MATCH ").append(oneOf(t, "SIMPLE", "FULL", "PARTIAL"));
            } else if (t.accept("DEFERRABLE")) {
                out.append(" DEFERRABLE");
            } else if (t.accept("INITIALLY")) {
                out.append(" INITIALLY ").append(oneOf(t, "DEFERRED", "IMMEDIATE"));
            } else {
                return out.toString();
            }
        }
    }

    private static String referentialAction(SqlTokens t) {
        if (t.accept("SET")) {
            return "SET " + oneOf(t, "NULL", "DEFAULT");
        }
        if (t.accept("NO")) {
            return "NO " + oneOf(t, "ACTION");
        }
        return oneOf(t, "CASCADE", "RESTRICT");
    }

    private static String oneOf(SqlTokens t, String... words) {
        String word = t.next().text().toUpperCase(Locale.ROOT);
        for (String w : words) {
            if (w.equals(word)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unexpected '" + word + "' in a foreign key");
    }

    static IndexDef index(String sql) {
        SqlTokens t = SqlTokens.of(sql);
        t.expect("CREATE");
        boolean unique = t.accept("UNIQUE");
        t.expect("INDEX");
        skipIfNotExists(t);
        String name = t.identifier();
        t.expect("ON");
        String table = t.identifier();
        t.expect("(");
        List<String> keys = new ArrayList<>();
        do {
            keys.add(t.until());
        } while (t.accept(","));
        t.expect(")");
        Optional<String> where = Optional.empty();
        if (t.accept("WHERE")) {
            where = Optional.of(t.until());
        }
        return new IndexDef(name, table, unique, keys, where);
    }
}
