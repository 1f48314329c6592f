package dev.synport.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synport.PortException;
import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotDdl;
import dev.synport.sqlite.SnapshotDdlReader;
import dev.synport.testing.Fixtures;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaBuilderTest {
    @Test
    void parsesCommentsQuotedNamesInlineReferencesAndChecks() {
        TableDef t = SqliteDdl.table("""
                CREATE TABLE "pushers" (
                  -- the id, with a comment
                  id BIGINT PRIMARY KEY,
                  Lock CHAR(1) NOT NULL DEFAULT 'X' UNIQUE,
                  room_id TEXT NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
                  n INTEGER DEFAULT -1,
                  CHECK (Lock='X'),
                  CONSTRAINT two UNIQUE (room_id, n)
                )""");
        assertThat(t.name()).isEqualTo("pushers");
        assertThat(t.columns()).extracting(TableDef.Column::name).containsExactly("id", "lock", "room_id", "n");
        assertThat(t.column("lock").orElseThrow()).isEqualTo(
                new TableDef.Column("lock", "CHAR(1)", true, Optional.of("'X'")));
        assertThat(t.column("n").orElseThrow().defaultValue()).contains("-1");
        assertThat(t.constraints()).contains(
                new TableDef.Constraint(TableDef.Kind.FOREIGN_KEY, Optional.empty(), List.of("room_id"),
                        "\"rooms\"(\"room_id\") ON DELETE CASCADE", false),
                new TableDef.Constraint(TableDef.Kind.CHECK, Optional.empty(), List.of(), "Lock='X'", false),
                new TableDef.Constraint(TableDef.Kind.UNIQUE, Optional.of("two"), List.of("room_id", "n"), "", false));
    }

    @Test
    void quotesReferencedNamesAndRefusesAnythingButForeignKeyClauses() {
        TableDef t = SqliteDdl.table("CREATE TABLE x (a TEXT REFERENCES \"users(name); DROP TABLE users; --\","
                + " b TEXT REFERENCES t2 (c) ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED NOT NULL)");
        assertThat(t.constraints()).extracting(TableDef.Constraint::body).containsExactly(
                "\"users(name); DROP TABLE users; --\"", "\"t2\"(\"c\") ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED");
        assertThat(t.column("b").orElseThrow().notNull()).isTrue();
        assertThatThrownBy(() -> SqliteDdl.table("CREATE TABLE y (a TEXT REFERENCES t2 ON DROP x)"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteDdl.table("CREATE TABLE z (a TEXT CHECK (a <> ''); DROP TABLE users)"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than one statement");
    }

    @Test
    void parsesPartialIndexes() {
        IndexDef i = SqliteDdl.index("CREATE UNIQUE INDEX IF NOT EXISTS x ON t(a, b DESC) WHERE c IS NOT NULL");
        assertThat(i).isEqualTo(new IndexDef("x", "t", true, List.of("a", "b DESC"), Optional.of("c IS NOT NULL")));
    }

    @Test
    void splitsKeysAndIndexesFromTablesAndTranslatesTypes() {
        SnapshotDdl ddl = new SnapshotDdl(72, true, List.of(
                new SnapshotDdl.Entry("table", "rooms", "rooms",
                        "CREATE TABLE rooms (room_id TEXT PRIMARY KEY, is_public BOOL DEFAULT 0, n INT)"),
                new SnapshotDdl.Entry("index", "sqlite_autoindex_rooms_1", "rooms", ""),
                new SnapshotDdl.Entry("index", "rooms_n", "rooms", "CREATE INDEX rooms_n ON rooms (n)"),
                new SnapshotDdl.Entry("table", "event_search", "event_search",
                        "CREATE VIRTUAL TABLE event_search USING fts4 (event_id, value)"),
                new SnapshotDdl.Entry("table", "event_search_content", "event_search_content",
                        "CREATE TABLE 'event_search_content'(docid INTEGER PRIMARY KEY, c0event_id)")),
                List.of());
        SchemaScript script = new SchemaBuilder(PostgresKnowledge.load()).build(ddl);
        assertThat(script.beforeData()).anySatisfy(s -> assertThat(s).isEqualTo("""
                CREATE TABLE "rooms" (
                    "room_id" text NOT NULL,
                    "is_public" boolean DEFAULT false,
                    "n" integer
                )"""));
        assertThat(script.beforeData()).noneMatch(s -> s.contains("event_search_content"));
        assertThat(script.afterData()).containsSubsequence("ALTER TABLE \"rooms\" ADD PRIMARY KEY (\"room_id\")",
                "CREATE INDEX \"rooms_n\" ON \"rooms\" (\"n\")");
    }

    @Test
    void refusesASchemaVersionNoReleaseHas() {
        SnapshotDdl ddl = new SnapshotDdl(90, true, List.of(), List.of());
        assertThatThrownBy(() -> new SchemaBuilder(PostgresKnowledge.load()).build(ddl))
                .isInstanceOf(PortException.class)
                .hasMessageContaining("schema version 90")
                .hasMessageContaining("update_synapse_database");
    }

    /**
     * Releases of one schema version differ by their deltas: the 1.157 reference without what
     * 1.152 and later brought (as 1.151 made it) gets no quarantined-media sequence and does not
     * record its PostgreSQL-only delta; with them, it does.
     */
    @Test
    void keysWhatAReleaseBroughtByItsDeltasNotItsSchemaVersion() throws Exception {
        SnapshotDdl v94;
        try (Snapshot snapshot = Snapshot.locate(Fixtures.file("synapse-v94-empty.db"), message -> { })) {
            v94 = new SnapshotDdlReader(snapshot).read();
        }
        Set<String> since152 = Set.of("94/03_device_lists_room_timestamp.sql", "94/03_quarantined_media_tracking.sql",
                "94/03_state_dag_fwd_extrems.sql", "94/04_device_lists_changes_max_pruned.sql",
                "94/05_rerun_flag_existing_quarantined_media.sql",
                "94/06_sliding_sync_connections_last_used_ts_index.sql",
                "94/07_sliding_sync_lazy_members_position_index.sql");
        assertThat(v94.appliedDeltas()).extracting(SnapshotDdl.Delta::file).containsAll(since152);
        SnapshotDdl v151 = new SnapshotDdl(94, v94.upgraded(), v94.entries(),
                v94.appliedDeltas().stream().filter(d -> !since152.contains(d.file())).toList());
        PostgresKnowledge knowledge = PostgresKnowledge.load();
        String sequence = "CREATE SEQUENCE quarantined_media_id_seq";
        String pgDelta = "94/03_quarantined_media_tracking_seq.sql.postgres";
        assertThat(new SchemaBuilder(knowledge).build(v94).beforeData()).anyMatch(s -> s.startsWith(sequence))
                .anyMatch(s -> s.contains(pgDelta));
        assertThat(new SchemaBuilder(knowledge).build(v151).beforeData()).noneMatch(s -> s.startsWith(sequence))
                .noneMatch(s -> s.contains(pgDelta));
    }
}
