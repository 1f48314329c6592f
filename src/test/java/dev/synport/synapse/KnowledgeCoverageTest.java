package dev.synport.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the tool knows of Synapse covers every reference (pg-vNN-synapse-init.sql and its
 * snapshot): each sequence (a stream on PostgreSQL is a sequence) has its rule, each table
 * only PostgreSQL has is known, and no sequence feed or skipped table the knowledge names is
 * missing from every reference. A new reference with a new sequence, stream or PostgreSQL-only table fails here
 * until the knowledge says what to do with it.
 */
class KnowledgeCoverageTest {
    private static final Pattern TABLE = Pattern.compile(
            "^CREATE (?:UNLOGGED )?TABLE public\\.(\\w+) \\(\\n(.*?)\\n\\);", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern SEQUENCE = Pattern.compile("^CREATE SEQUENCE public\\.(\\w+)", Pattern.MULTILINE);
    /** Sequences of serial and identity columns: set from their column, no rule needed. */
    private static final Pattern OWNED = Pattern.compile(
            "ALTER SEQUENCE public\\.(\\w+) OWNED BY|SEQUENCE NAME public\\.(\\w+)");

    static Stream<Integer> versions() {
        return Fixtures.schemaVersions().stream();
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void everySequenceHasItsRule(int version) throws IOException {
        String dump = init(version);
        Set<String> owned = new HashSet<>();
        Matcher m = OWNED.matcher(dump);
        while (m.find()) {
            owned.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        Set<String> ruled = new HashSet<>();
        SynapseRules.load().sequences().forEach(s -> ruled.add(s.name()));
        List<String> uncovered = new ArrayList<>();
        m = SEQUENCE.matcher(dump);
        while (m.find()) {
            if (!owned.contains(m.group(1)) && !ruled.contains(m.group(1))) {
                uncovered.add(m.group(1));
            }
        }
        assertThat(uncovered).as("sequences of v%d without an entry in sequences.yaml", version).isEmpty();
    }

    @ParameterizedTest(name = "schema version {0}")
    @MethodSource("versions")
    void everyTableOnlyPostgresqlHasIsKnown(int version) throws Exception {
        Set<String> sqlite = sqliteColumns(version).keySet();
        Set<String> known = new HashSet<>(knownTables());
        List<String> unknown = postgresColumns(version).keySet().stream()
                .filter(t -> !sqlite.contains(t) && !known.contains(t) && !t.equals("port_from_sqlite3"))
                .sorted().toList();
        assertThat(unknown).as("tables of v%d only PostgreSQL has, unknown to the tool", version).isEmpty();
    }

    @Test
    void everyTableAndColumnTheKnowledgeNamesIsInSomeReference() throws Exception {
        Set<String> tables = new HashSet<>();
        Set<String> columns = new HashSet<>();
        for (int version : Fixtures.schemaVersions()) {
            for (Map<String, List<String>> schema : List.of(postgresColumns(version), sqliteColumns(version))) {
                schema.forEach((table, cols) -> {
                    tables.add(table);
                    cols.forEach(c -> columns.add(table + "." + c));
                });
            }
        }
        SynapseRules rules = SynapseRules.load();
        List<String> feeds = rules.sequences().stream().flatMap(s -> s.feeds().stream())
                .map(f -> f.table() + "." + f.column()).toList();
        assertThat(feeds).as("sequence feeds no reference has").allMatch(columns::contains);
        // (append_only is the official script's list, which keeps tables of schemas before 72)
        assertThat(((Map<?, ?>) yaml("tables.yaml").get("skip")).keySet()).as("skipped tables no reference has")
                .allMatch(t -> tables.contains(t.toString()));
    }

    /** The tables named by tables.yaml and by the PostgreSQL-only objects of postgres-schema.yaml. */
    private static Set<String> knownTables() throws IOException {
        Set<String> out = new HashSet<>();
        Map<?, ?> tables = yaml("tables.yaml");
        out.addAll(((Map<?, ?>) tables.get("skip")).keySet().stream().map(Object::toString).toList());
        ((List<?>) tables.get("append_only")).forEach(t -> out.add(t.toString()));
        for (Object o : (List<?>) yaml("postgres-schema.yaml").get("objects")) {
            String name = ((Map<?, ?>) o).get("name").toString();
            if (name.startsWith("TABLE ")) {
                out.add(name.substring("TABLE ".length()));
            }
        }
        return out;
    }

    private static Map<?, ?> yaml(String file) throws IOException {
        try (InputStream in = KnowledgeCoverageTest.class.getResourceAsStream("/dev/synport/synapse/" + file)) {
            return (Map<?, ?>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        }
    }

    private static String init(int version) throws IOException {
        return Files.readString(Fixtures.file("pg-v" + version + "-synapse-init.sql"));
    }

    private static Map<String, List<String>> postgresColumns(int version) {
        Map<String, List<String>> out = new TreeMap<>();
        try {
            Matcher m = TABLE.matcher(Files.readString(Fixtures.file("pg-v" + version + "-schema.sql")));
            while (m.find()) {
                out.put(m.group(1), Stream.of(m.group(2).split("\n")).map(String::strip)
                        .filter(l -> !l.startsWith("CONSTRAINT "))
                        .map(l -> l.split(" ")[0].replace("\"", "")).toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Map<String, List<String>> sqliteColumns(int version) throws SQLException {
        Map<String, List<String>> out = new TreeMap<>();
        String url = "jdbc:sqlite:file:" + Fixtures.file("synapse-v" + version + "-empty.db") + "?immutable=1";
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
                        + " WHERE m.type = 'table'")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return out;
    }
}
