package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SqliteCounts;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic database has what real ones have: NUL characters (also in key columns),
 * negative rowids, blobs. Every row arrives and every repaired value is in the report.
 */
@ExtendWith(PostgresExtension.class)
class DirtyDataIT {

    @Test
    void everyRowArrivesAndEveryRepairedValueIsReported(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v72-empty.db", 5000, 5);
        Target target = Target.create(pg, "dirty", "pg-v72-synapse-init.sql", dir);
        Path report = dir.resolve("report.jsonl");
        Cli.Result result = Cli.run("--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", report.toString(), "--batch-size", "300");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("repaired and 0 rows rejected: see " + report.toAbsolutePath());

        Set<String> withNul = nulValues(sqlite);
        assertThat(withNul).as("the generator writes NULs").isNotEmpty();
        Set<String> reported = new HashSet<>();
        for (String line : Files.readAllLines(report)) {
            if (line.contains("U+0000")) {
                String table = field(line, "table");
                String column = field(line, "column");
                String rowid = line.replaceAll(".*\"rowid\":(-?\\d+).*", "$1");
                reported.add(table + "." + column + "#" + rowid);
            }
        }
        assertThat(reported).isEqualTo(withNul);

        Map<String, Long> rows = SqliteCounts.rows(sqlite);
        try (Connection c = target.connect()) {
            for (Map.Entry<String, Long> e : rows.entrySet()) {
                if (!CurrentSchemaIT.NOT_COPIED.contains(e.getKey()) && CurrentSchemaIT.exists(c, e.getKey())) {
                    assertThat(CurrentSchemaIT.count(c, e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM room_memberships WHERE display_name LIKE '%' || chr(65533) || '%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
            }
        }
        try (Connection s = SqliteCounts.open(sqlite); Statement st = s.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM events WHERE rowid <= 0")) {
            rs.next();
            long negative = rs.getLong(1);
            try (Connection c = target.connect(); Statement pst = c.createStatement();
                    ResultSet prs = pst.executeQuery("SELECT backward_rowid FROM port_from_sqlite3"
                            + " WHERE table_name = 'events'")) {
                prs.next();
                assertThat(prs.getLong(1)).as("backward sweep reached the lowest rowid")
                        .isLessThanOrEqualTo(negative > 0 ? -1 : 0);
            }
        }
    }

    /** table.column#rowid of every text value with a NUL in the tables the port copies. */
    private static Set<String> nulValues(Path sqlite) throws Exception {
        Set<String> found = new HashSet<>();
        try (Connection c = SqliteCounts.open(sqlite)) {
            List<String[]> columns = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
                            + " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE 'CREATE VIRTUAL%'")) {
                while (rs.next()) {
                    columns.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] col : columns) {
                if (CurrentSchemaIT.NOT_COPIED.contains(col[0]) || col[0].matches(".*_(content|segdir|segments|docsize|stat)")) {
                    continue;
                }
                String sql = "SELECT rowid FROM \"" + col[0] + "\" WHERE typeof(\"" + col[1] + "\") = 'text' AND instr(\""
                        + col[1] + "\", char(0)) > 0";
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    while (rs.next()) {
                        found.add(col[0] + "." + col[1] + "#" + rs.getLong(1));
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT rowid FROM event_search WHERE instr(value, char(0)) > 0")) {
                while (rs.next()) {
                    found.add("event_search.value#" + rs.getLong(1));
                }
            }
        }
        return found;
    }

    private static String field(String json, String name) {
        return json.replaceAll(".*\"" + name + "\":\"([^\"]*)\".*", "$1");
    }
}
