package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.sqlite.RecordHash.Range;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** event_search's joined columns: their hash, the rows that join no event, and whether event ids are unique. */
class SearchJoinTest {
    private static final List<Range> ALL = List.of(new Range(1, 100), new Range(1, 0));

    @TempDir
    Path dir;

    @Test
    void rowsWithoutTheirEventAreCountedAndChangeTheHash() throws SQLException {
        try (Connection c = database("events (event_id TEXT NOT NULL, room_id TEXT, origin_server_ts BIGINT,"
                + " stream_ordering INTEGER PRIMARY KEY, UNIQUE (event_id))")) {
            SearchJoin join = new SearchJoin();
            execute(c, "INSERT INTO events VALUES ('$a', '!r', 10, 1), ('$b', '!r', 20, 2)",
                    "INSERT INTO event_search_content (docid, c0event_id, c1room_id) VALUES (1, '$a', '!r'),"
                            + " (2, '$b', '!r'), (3, '$c', '!r'), (4, '$a', '!other')");
            SearchJoin.Columns before = join.read(c, ALL).orElseThrow();
            assertThat(before.unjoined()).as("$c has no event; $a is in another room").isEqualTo(2);
            assertThat(join.eventIdsUnique(c)).isTrue();

            execute(c, "INSERT INTO events VALUES ('$c', '!r', 30, 3)");
            SearchJoin.Columns after = join.read(c, ALL).orElseThrow();
            assertThat(after.unjoined()).isEqualTo(1);
            assertThat(after.hash()).isNotEqualTo(before.hash());
            assertThat(join.read(c, List.of(new Range(1, 2), new Range(1, 0))).orElseThrow().unjoined()).isZero();
        }
    }

    @Test
    void eventIdsAreUniqueOnlyWithAUniqueIndexOnThemAlone() throws SQLException {
        try (Connection c = database("events (event_id TEXT, room_id TEXT, origin_server_ts BIGINT,"
                + " stream_ordering BIGINT, UNIQUE (event_id, room_id))")) {
            SearchJoin join = new SearchJoin();
            assertThat(join.eventIdsUnique(c)).isFalse();
            execute(c, "CREATE UNIQUE INDEX partial_ids ON events (event_id) WHERE room_id IS NOT NULL");
            assertThat(join.eventIdsUnique(c)).isFalse();
            execute(c, "CREATE UNIQUE INDEX ids ON events (event_id)");
            assertThat(join.eventIdsUnique(c)).isTrue();
        }
    }

    private Connection database(String events) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("search.db"));
        execute(c, "CREATE TABLE " + events, "CREATE TABLE event_search_content (docid INTEGER PRIMARY KEY,"
                + " c0event_id, c1room_id, c2sender, c3key, c4value)");
        return c;
    }

    private static void execute(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
