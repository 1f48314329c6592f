package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synport.PortException;
import dev.synport.postgres.ColumnKind;
import dev.synport.postgres.ForeignKey;
import dev.synport.postgres.TargetCatalog;
import dev.synport.postgres.TargetColumn;
import dev.synport.postgres.TargetTable;
import dev.synport.sqlite.SnapshotSchema;
import dev.synport.sqlite.SourceTable;
import dev.synport.synapse.SynapseRules;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planning from hand-made catalogues: what is copied, skipped, ordered, refused. */
class PlannerTest {
    private final Planner planner = new Planner(SynapseRules.load(), Optional.of("example.org"));

    @Test
    void copiesSharedTablesSkipsListedOnesAndOrdersByForeignKeys() {
        PortPlan plan = planner.plan(snapshot(
                        source("events", "event_id", "stream_ordering", "outlier"),
                        source("event_edges", "event_id", "prev_event_id"),
                        source("user_directory", "user_id"),
                        source("schema_version", "Lock", "version"),
                        source("refresh_tokens", "id", "next_token_id")),
                catalog(List.of(
                        target("events", col("event_id", "text"), col("stream_ordering", "bigint"),
                                col("outlier", "boolean")),
                        target("event_edges", col("event_id", "text"), col("prev_event_id", "text")),
                        target("user_directory", col("user_id", "text")),
                        target("schema_version", col("lock", "character"), col("version", "integer")),
                        target("refresh_tokens", col("id", "bigint"), col("next_token_id", "bigint"))),
                        List.of(new ForeignKey("event_edges", "event_edges_event_id_fkey", "events", "FOREIGN KEY ..."),
                                new ForeignKey("refresh_tokens", "refresh_tokens_next_token_id_fkey", "refresh_tokens",
                                        "FOREIGN KEY (next_token_id) REFERENCES refresh_tokens(id)"))));

        assertThat(plan.tables()).extracting(TablePlan::name)
                .containsExactlyInAnyOrder("events", "event_edges", "refresh_tokens");
        assertThat(plan.skipped()).containsKeys("user_directory", "schema_version");
        assertThat(plan.dependencies().get("event_edges")).containsExactly("events");
        assertThat(plan.dependencies().get("refresh_tokens")).isEmpty();
        TablePlan events = table(plan, "events");
        assertThat(events.appendOnly()).isTrue();
        assertThat(events.columns()).extracting(ColumnPlan::kind)
                .containsExactly(ColumnKind.TEXT, ColumnKind.BIGINT, ColumnKind.BOOLEAN);
        assertThat(events.columns().get(0).sourceExpression()).isEqualTo("CAST(\"event_id\" AS BLOB)");
        assertThat(events.columns().get(2).sourceExpression()).isEqualTo("\"outlier\"");
        TablePlan tokens = table(plan, "refresh_tokens");
        assertThat(tokens.appendOnly()).isFalse();
        assertThat(tokens.singleTransaction()).isTrue();
    }

    @Test
    void refusesSnapshotColumnMissingInTargetAndRequiredTargetColumnMissingInSnapshot() {
        assertThatThrownBy(() -> planner.plan(snapshot(source("devices", "user_id", "device_id", "extra")),
                catalog(List.of(target("devices", col("user_id", "text"), col("device_id", "text"),
                        new TargetColumn("hidden", "boolean", ColumnKind.BOOLEAN, false, false, false, false))),
                        List.of())))
                .isInstanceOf(PortException.class)
                .hasMessageContaining("column devices.extra is missing in the target")
                .hasMessageContaining("column devices.hidden is required in the target but missing in the snapshot")
                .hasMessageContaining("update_synapse_database");
    }

    @Test
    void quotesHostileIdentifiers() {
        String name = "we\"ird; DROP TABLE users; --";
        PortPlan plan = planner.plan(snapshot(source(name, "a\"b")),
                catalog(List.of(target(name, col("a\"b", "text"))), List.of()));
        TablePlan table = plan.tables().get(0);
        assertThat(table.sourceFrom()).isEqualTo("\"we\"\"ird; DROP TABLE users; --\"");
        assertThat(table.target().copyStatement())
                .isEqualTo("COPY \"we\"\"ird; DROP TABLE users; --\" (\"a\"\"b\") FROM STDIN");
    }

    @Test
    void appendOnlyTableReferencingARefilledTableIsRefilledToo() {
        PortPlan plan = planner.plan(snapshot(source("events", "event_id"), source("devices", "device_id")),
                catalog(List.of(target("events", col("event_id", "text")), target("devices", col("device_id", "text"))),
                        List.of(new ForeignKey("events", "events_device_fkey", "devices", "FOREIGN KEY ..."))));
        assertThat(table(plan, "events").appendOnly()).isFalse();
    }

    private static TablePlan table(PortPlan plan, String name) {
        return plan.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static SourceTable source(String name, String... columns) {
        return new SourceTable(name, Arrays.asList(columns), false, true);
    }

    private static SnapshotSchema snapshot(SourceTable... tables) {
        Map<String, SourceTable> map = new HashMap<>();
        for (SourceTable t : tables) {
            map.put(t.name(), t);
        }
        return new SnapshotSchema(72, map, Map.of());
    }

    private static TargetColumn col(String name, String type) {
        return new TargetColumn(name, type, ColumnKind.of(type), true, false, false, false);
    }

    private static TargetTable target(String name, TargetColumn... columns) {
        return new TargetTable(name, List.of(columns));
    }

    private static TargetCatalog catalog(List<TargetTable> tables, List<ForeignKey> keys) {
        Map<String, TargetTable> map = new HashMap<>();
        tables.forEach(t -> map.put(t.name(), t));
        return new TargetCatalog("14", "UTF8", "C", "C", "public", map, keys, Set.of(), OptionalInt.of(72));
    }
}
