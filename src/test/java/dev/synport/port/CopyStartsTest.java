package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.ColumnKind;
import dev.synport.postgres.CopyDigest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CopyStartsTest {
    private static final String NOW = "state-now";
    private static final String EARLIER = "state-earlier";
    private static final Checkpoint DONE = new Checkpoint(501, -3);

    /** events (append-only) and receipts (not), with event_edges referencing events and receipts_links receipts. */
    private static final PortPlan PLAN = new PortPlan(List.of(table("events", true), table("event_edges", true),
            table("receipts", false), table("receipts_links", false)),
            Map.of("events", Set.of(), "event_edges", Set.of("events"), "receipts", Set.of(),
                    "receipts_links", Set.of("receipts")), Map.of(), Set.of());

    private static TablePlan table(String name, boolean appendOnly) {
        List<ColumnPlan> columns = List.of(new ColumnPlan("id", "\"id\"", "id", ColumnKind.TEXT));
        return new TablePlan(name, "\"" + name + "\"", "rowid", columns, appendOnly, new DirectWriter(name, columns),
                List.of());
    }

    private static CopyStarts.Decision decide(Map<String, CopyDigest> stored, Map<String, Boolean> proofs,
            Set<String> mixed) {
        Map<String, Checkpoint> checkpoints = Map.of("events", DONE, "event_edges", DONE, "receipts", DONE,
                "receipts_links", DONE);
        return new CopyStarts(PLAN, NOW).decide(checkpoints, mixed, stored, proofs, true, t -> false);
    }

    private static CopyDigest whole(String state) {
        return new CopyDigest(state, Checkpoint.START, DONE, 500, 42);
    }

    @Test
    void withoutDigestsAppendOnlyTablesResumeAndTheOthersAreCopiedAgain() {
        CopyStarts.Decision d = new CopyStarts(PLAN, NOW).decide(Map.of("events", DONE, "event_edges", DONE,
                "receipts", DONE, "receipts_links", DONE), Set.of(), Map.of(), Map.of(), false, t -> false);
        assertThat(d.refilled()).containsExactlyInAnyOrder("receipts", "receipts_links");
        assertThat(d.positions()).containsEntry("events", DONE).containsEntry("receipts", Checkpoint.START);
        assertThat(d.digests()).isEmpty();
    }

    @Test
    void anUnchangedSnapshotResumesEveryTableAndKeepsEachDigest() {
        Map<String, CopyDigest> stored = Map.of("events", whole(NOW), "event_edges", whole(NOW), "receipts",
                whole(NOW), "receipts_links", whole(NOW));
        CopyStarts.Decision d = decide(stored, Map.of(), Set.of());
        assertThat(d.refilled()).isEmpty();
        assertThat(d.positions()).containsOnly(Map.entry("events", DONE), Map.entry("event_edges", DONE),
                Map.entry("receipts", DONE), Map.entry("receipts_links", DONE));
        assertThat(d.digests()).isEqualTo(stored);
    }

    @Test
    void aTableNotAppendOnlyWhoseEarlierRowsAreProvenUnchangedResumesWithItsDigestCarriedOver() {
        Map<String, CopyDigest> stored = Map.of("receipts", whole(EARLIER), "receipts_links", whole(EARLIER));
        // receipts' records proved it only gained rows; receipts_links was left out (changed)
        CopyStarts.Decision d = decide(stored, Map.of("receipts", true), Set.of());
        assertThat(d.refilled()).containsExactly("receipts_links");
        assertThat(d.positions()).containsEntry("receipts", DONE);
        assertThat(d.digests().get("receipts")).isEqualTo(whole(NOW));
        assertThat(d.digests().get("receipts_links")).isEqualTo(CopyDigest.start(NOW, Checkpoint.START));

        // a proof does not make a table resume whose digest does not start at the table's start
        CopyStarts.Decision partial = decide(Map.of("receipts",
                new CopyDigest(EARLIER, new Checkpoint(100, 0), DONE, 400, 7)), Map.of("receipts", true), Set.of());
        assertThat(partial.refilled()).contains("receipts");
    }

    @Test
    void aTableNotAppendOnlyIsCopiedAgainUnlessEveryRowBehindItsCheckpointIsThisStates() {
        Map<String, CopyDigest> stored = Map.of("receipts", whole(EARLIER),
                // this state's, but only from the middle of the table on: the rows before came from another
                "receipts_links", new CopyDigest(NOW, new Checkpoint(100, 0), DONE, 400, 7));
        CopyStarts.Decision d = decide(stored, Map.of(), Set.of());
        assertThat(d.refilled()).containsExactlyInAnyOrder("receipts", "receipts_links");
        assertThat(d.digests().get("receipts")).isEqualTo(CopyDigest.start(NOW, Checkpoint.START));
    }

    @Test
    void refillingATableRefillsTheTablesReferencingIt() {
        // receipts has no digest of this state; receipts_links, which references it, has one
        CopyStarts.Decision d = decide(Map.of("receipts_links", whole(NOW)), Map.of(), Set.of());
        assertThat(d.refilled()).containsExactlyInAnyOrder("receipts", "receipts_links");
        assertThat(d.positions().get("receipts_links")).isEqualTo(Checkpoint.START);
    }

    @Test
    void anAppendOnlyTableWhoseEarlierRowsChangedIsCopiedAgainWithItsChildren() {
        Map<String, CopyDigest> stored = Map.of("events", whole(EARLIER), "event_edges", whole(EARLIER));
        CopyStarts.Decision d = decide(stored, Map.of("events", false, "event_edges", true), Set.of());
        assertThat(d.refilled()).contains("events", "event_edges");
        assertThat(d.digests().get("events")).isEqualTo(CopyDigest.start(NOW, Checkpoint.START));
    }

    @Test
    void anAppendOnlyTableWhoseEarlierRowsHoldResumesWithItsDigestCarriedOver() {
        Map<String, CopyDigest> stored = Map.of("events", whole(EARLIER), "event_edges", whole(EARLIER));
        CopyStarts.Decision d = decide(stored, Map.of("events", true, "event_edges", true), Set.of());
        assertThat(d.refilled()).doesNotContain("events", "event_edges");
        assertThat(d.positions().get("events")).isEqualTo(DONE);
        assertThat(d.digests().get("events")).isEqualTo(new CopyDigest(NOW, Checkpoint.START, DONE, 500, 42));
    }

    @Test
    void anAppendOnlyTableWithoutProofResumesWithADigestStartingAtItsCheckpoint() {
        // a port by an older version or with --no-verify: no digest, the table is trusted as before
        CopyStarts.Decision d = decide(Map.of(), Map.of(), Set.of());
        assertThat(d.positions().get("events")).isEqualTo(DONE);
        assertThat(d.digests().get("events")).isEqualTo(CopyDigest.start(NOW, DONE));
    }

    @Test
    void anAppendOnlyTableAStoppedRunReadFromAnotherStateIsCopiedAgain() {
        CopyStarts.Decision d = decide(Map.of(), Map.of(), Set.of("events"));
        assertThat(d.refilled()).contains("events", "event_edges");
    }

    @Test
    void aChangedTableThatCanBeComparedRowByRowKeepsItsRowsCheckpointAndDigestUntilItsRewrite() {
        Map<String, Checkpoint> checkpoints = Map.of("events", DONE, "event_edges", DONE, "receipts", DONE,
                "receipts_links", DONE);
        Map<String, CopyDigest> stored = Map.of("receipts", whole(EARLIER), "receipts_links", whole(EARLIER));
        CopyStarts.Decision d = new CopyStarts(PLAN, NOW).decide(checkpoints, Set.of(), stored, Map.of(), true,
                t -> !t.appendOnly());
        // the table referencing it is emptied (its rows may refer to ones the rewrite deletes)
        assertThat(d.rewritten()).containsExactly("receipts");
        assertThat(d.refilled()).containsExactly("receipts_links");
        assertThat(d.positions()).containsEntry("receipts", DONE).containsEntry("receipts_links", Checkpoint.START);
        assertThat(d.digests().get("receipts")).isEqualTo(CopyDigest.start(NOW, Checkpoint.START));
    }

    @Test
    void aTableReferencingOneCopiedAgainOrThatNoRunCopiedIsNotRewritten() {
        Map<String, Checkpoint> all = Map.of("events", DONE, "event_edges", DONE, "receipts", DONE,
                "receipts_links", DONE);
        CopyStarts.Decision d = new CopyStarts(PLAN, NOW).decide(all, Set.of(), Map.of(), Map.of(), true,
                t -> t.name().equals("receipts_links"));
        assertThat(d.rewritten()).isEmpty();
        assertThat(d.refilled()).contains("receipts", "receipts_links");

        Map<String, Checkpoint> none = Map.of("events", DONE, "event_edges", DONE);
        d = new CopyStarts(PLAN, NOW).decide(none, Set.of(), Map.of(), Map.of(), true, t -> true);
        assertThat(d.rewritten()).isEmpty();
    }
}
