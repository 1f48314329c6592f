package dev.synport.port;

import dev.synport.Identifiers;
import dev.synport.postgres.CopyDigest;
import dev.synport.postgres.CopyOutRows;
import dev.synport.postgres.DeferredIndexes;
import dev.synport.postgres.DigestStore;
import dev.synport.report.Finding;
import dev.synport.report.FindingSink;
import dev.synport.sqlite.Snapshot;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Removes the rows a unique index or foreign key built after the copy refuses, and reports
 * them as rejected, as if PostgreSQL had refused them on arrival: each is found in the snapshot
 * by its line (of equal lines, the last rowids: the copy wrote the first, which stays), and its
 * table's digest loses it, in the same transaction. A row the snapshot no longer gives is
 * reported without its rowid (0), and the table's digest, which counted it, dropped.
 */
final class RemovedRows implements DeferredIndexes.Removals {
    private final Snapshot snapshot;
    private final PortPlan plan;
    private final CopyDigests digests;
    private final Function<String, FindingSink> sinks;

    /** @param sinks where each table's findings go */
    RemovedRows(Snapshot snapshot, PortPlan plan, CopyDigests digests, Function<String, FindingSink> sinks) {
        this.snapshot = snapshot;
        this.plan = plan;
        this.digests = digests;
        this.sinks = sinks;
    }

    @Override
    public void remove(Connection c, String table, String name, boolean foreignKey, String refused)
            throws SQLException {
        Optional<TablePlan> planned = plan.tables().stream().filter(t -> t.name().equals(table)).findFirst();
        Optional<CopyDigests.Running> digest = digests.of(table);
        String quoted = Identifiers.quote(table);
        String columns = planned.map(t -> ColumnPlan.targetList(t.columns())).orElse(quoted + ".*");
        List<byte[]> lines = new ArrayList<>();
        CopyOutRows.forEach(c, "COPY (DELETE FROM " + quoted + " WHERE " + refused + " RETURNING " + columns
                + ") TO STDOUT", (row, length) -> lines.add(Arrays.copyOf(row, length)));
        if (lines.isEmpty()) {
            return;
        }
        Map<Long, List<Integer>> byHash = new HashMap<>();
        long hashSum = 0;
        if (planned.isPresent() && digest.isPresent()) {
            for (int i = 0; i < lines.size(); i++) {
                long hash = digest.get().hash(lines.get(i), 0, lines.get(i).length);
                hashSum += hash;
                byHash.computeIfAbsent(hash, h -> new ArrayList<>()).add(i);
            }
        }
        long[] rowids = rowids(planned, digest, byHash, lines.size());
        String reason = (foreignKey ? "refers to a row that was not ported (foreign key " + name
                : "repeats the key of an earlier row (unique index " + name) + ", checked once the table was copied)";
        List<Finding> findings = new ArrayList<>();
        boolean allFound = true;
        for (int i = 0; i < lines.size(); i++) {
            String row = new String(lines.get(i), StandardCharsets.UTF_8);
            allFound &= rowids[i] != 0;
            findings.add(new Finding(table, rowids[i], null, Finding.Action.REJECTED, rowids[i] != 0 ? reason
                    : reason + "; rowid unknown, the row as PostgreSQL held it (COPY text) is given", row));
        }
        sinks.apply(table).record(findings);
        DigestStore store = new DigestStore();
        CopyDigest stored = store.readAll(c).get(table);
        if (stored != null && allFound) {
            store.set(c, table, stored.plus(-lines.size(), -hashSum, stored.to()));
        } else if (stored != null) {
            store.delete(c, table);
        }
    }

    /** Each removed line's rowid in the snapshot (0 where none gives it), the last of equal lines first. */
    private long[] rowids(Optional<TablePlan> planned, Optional<CopyDigests.Running> digest,
            Map<Long, List<Integer>> byHash, int count) throws SQLException {
        long[] rowids = new long[count];
        if (byHash.isEmpty()) {
            return rowids;
        }
        Map<Long, TreeSet<Long>> found = new HashMap<>();
        try (Connection sqlite = snapshot.open()) {
            new EncodedRows(planned.orElseThrow()).forEach(sqlite, Set.of(), "", (rowid, line, length) -> {
                long hash = digest.orElseThrow().hash(line, 0, length);
                if (byHash.containsKey(hash)) {
                    found.computeIfAbsent(hash, h -> new TreeSet<>()).add(rowid);
                }
            });
        }
        for (Map.Entry<Long, List<Integer>> removed : byHash.entrySet()) {
            TreeSet<Long> candidates = found.getOrDefault(removed.getKey(), new TreeSet<>());
            for (int index : removed.getValue()) {
                Long last = candidates.pollLast();
                rowids[index] = last == null ? 0 : last;
            }
        }
        return rowids;
    }
}
