package dev.synport.verify;

import dev.synport.Identifiers;
import dev.synport.digest.RowHasher;
import dev.synport.port.ColumnPlan;
import dev.synport.port.CopyDigests;
import dev.synport.port.EncodedRows;
import dev.synport.port.Planner;
import dev.synport.port.PortPlan;
import dev.synport.port.TablePlan;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.CopyDigest;
import dev.synport.postgres.CopyOutRows;
import dev.synport.postgres.DeferredIndexes;
import dev.synport.postgres.DigestStore;
import dev.synport.postgres.PostgresTarget;
import dev.synport.postgres.SnapshotStates;
import dev.synport.postgres.TargetCatalog;
import dev.synport.postgres.TargetColumn;
import dev.synport.postgres.TargetTable;
import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotWorkers;
import dev.synport.synapse.SynapseRules;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares every copied table of the target with the snapshot; the sequences' check, which
 * the callers run, completes the verdict. Per table, both sides are streamed at the same time
 * (SQLite through the port's own encoder, PostgreSQL with one {@code COPY ... TO STDOUT}), each
 * row hashed to 64 bits and the hashes summed: equal counts and equal sums mean equal tables
 * whatever the row order. Where the port kept a {@link CopyDigest} of the rows it read from
 * this very state of the snapshot (hashed the same way, as it wrote them), that digest stands
 * for those rows and only the rest of the snapshot's table is read; where an earlier
 * verification found the table equal, PostgreSQL is read only for the rows written since.
 * Only a table that differs is read a second time, in full on both sides and keeping every
 * hash, to tell missing rows from extra ones. Tables are compared {@code jobs} at a time.
 */
public final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    private static final String EVENT_SEARCH = "event_search";
    /** Transactions older than this are not told apart by their 32-bit numbers (they wrap at 2^31). */
    private static final long MAX_XID_AGE = 1_000_000_000L;

    private final SynapseRules rules;
    private final int jobs;

    public Verifier(SynapseRules rules, int jobs) {
        this.rules = rules;
        this.jobs = jobs;
    }

    /**
     * Compares every planned table; {@code sequenceProblems} (from {@link SequenceVerifier#problems})
     * completes the verdict: the port has just checked its sequences, a standalone run checks them itself.
     *
     * @param digests per table, the digest of rows read from this snapshot state that ends at
     *     the table's checkpoint (none for a verification that reads everything again)
     * @param verified per table with such a digest, what an earlier verification that found it
     *     equal saw of it, if the digest still starts where it did then: PostgreSQL's table is
     *     read only for the rows written since, if its older rows are as many and none changed
     */
    public Verdict verify(Snapshot snapshot, PostgresTarget target, Connection control, TargetCatalog catalog,
            PortPlan plan, RejectedRows rejected, List<String> sequenceProblems, Map<String, CopyDigest> digests,
            Map<String, DigestStore.Verified> verified) throws SQLException {
        List<String> notCompared = new ArrayList<>();
        if (!plan.skipped().isEmpty()) {
            notCompared.add("not copied by design: " + String.join(", ", new TreeSet<>(plan.skipped().keySet())));
        }
        if (!plan.refilledSpecially().isEmpty()) {
            notCompared.add("given Synapse's expected content instead of a copy: "
                    + String.join(", ", plan.refilledSpecially()));
        }
        notCompared.add("the port's bookkeeping: " + String.join(", ", CheckpointStore.TABLE, DeferredIndexes.LEDGER,
                SnapshotStates.TABLE, DigestStore.TABLE));
        List<Comparison> comparisons = new ArrayList<>();
        for (TablePlan table : plan.tables()) {
            Comparison comparison = comparison(table, catalog.table(table.name()).orElseThrow(), rejected,
                    Optional.ofNullable(digests.get(table.name())));
            comparison.verified = comparison.digest.isPresent() ? Optional.ofNullable(verified.get(table.name()))
                    : Optional.empty();
            comparisons.add(comparison);
            comparison.skippedColumns().ifPresent(notCompared::add);
            comparison.note().ifPresent(notCompared::add);
        }
        ExecutorService postgresSide = Executors.newFixedThreadPool(jobs);
        List<Verdict.Difference> differences = new ArrayList<>();
        int equal = 0;
        int fromDigests = 0;
        int sinceVerified = 0;
        long rows = 0;
        Map<String, DigestStore.Verified> seen = new HashMap<>();
        try {
            // the largest first, so that the last to finish is a small one
            Map<String, Long> sizes = sizes(control);
            comparisons.sort(Comparator.comparing((Comparison c) -> sizes.getOrDefault(c.table.name(), 0L))
                    .reversed());
            new SnapshotWorkers(snapshot, jobs).forEach(comparisons,
                    (sqlite, next) -> next.difference = next.run(sqlite, target, postgresSide));
            for (Comparison c : comparisons) {
                if (c.difference.isPresent()) {
                    differences.add(c.difference.get());
                } else {
                    equal++;
                    rows += c.rows;
                    fromDigests += c.digestUsed ? 1 : 0;
                    sinceVerified += c.sinceVerified ? 1 : 0;
                    c.seen.ifPresent(v -> seen.put(c.table.name(), v));
                }
            }
            differences.sort(Comparator.comparing(Verdict.Difference::table));
        } finally {
            postgresSide.shutdownNow();
        }
        return new Verdict(equal, fromDigests, sinceVerified, rows, differences, sequenceProblems, notCompared, seen);
    }

    /** Each table's size on disk in the target, a cheap stand-in for how long it takes to read. */
    private static Map<String, Long> sizes(Connection control) throws SQLException {
        Map<String, Long> sizes = new HashMap<>();
        try (Statement st = control.createStatement(); ResultSet rs = st.executeQuery("SELECT relname,"
                + " pg_relation_size(oid) FROM pg_class WHERE relkind = 'r'"
                + " AND relnamespace = current_schema()::regnamespace")) {
            while (rs.next()) {
                sizes.put(rs.getString(1), rs.getLong(2));
            }
        }
        return sizes;
    }

    private Comparison comparison(TablePlan table, TargetTable targetTable, RejectedRows rejected,
            Optional<CopyDigest> digest) {
        List<RowHasher.Canon> sqliteFields = CopyDigests.fieldsOf(table, targetTable);
        List<RowHasher.Canon> postgresFields = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (ColumnPlan column : table.columns()) {
            Optional<TargetColumn> stored = targetTable.column(column.targetName());
            if (stored.isEmpty()) {
                skipped.add(table.name() + "." + column.targetName());
            } else {
                postgresFields.add(RowHasher.Canon.of(stored.get()));
                columns.add(Identifiers.quote(stored.get().name()));
            }
        }
        Optional<String> skippedNote = skipped.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", skipped)
                + (table.name().equals(EVENT_SEARCH) ? " (PostgreSQL keeps it only as the computed tsvector)"
                        : " (not stored in the target)"));
        // the port queues its rebuilds among the copied rows; those it added are not the snapshot's
        String condition = "";
        Optional<String> note = Optional.empty();
        if (table.name().equals(Planner.BACKGROUND_UPDATES) && !rules.rebuildUpdates().isEmpty()) {
            condition = Identifiers.quote("update_name") + " NOT IN (" + rules.rebuildUpdates().stream()
                    .map(u -> Identifiers.literal(u.name())).collect(Collectors.joining(", ")) + ")";
            note = Optional.of(Planner.BACKGROUND_UPDATES + " rows of the rebuilds the port queues ("
                    + rules.rebuildUpdates().stream().map(SynapseRules.RebuildUpdate::name)
                    .collect(Collectors.joining(", ")) + ")");
        }
        String select = "SELECT " + String.join(", ", columns) + " FROM " + Identifiers.quote(table.name())
                + (condition.isEmpty() ? "" : " WHERE " + condition);
        // a digest covers every row the port wrote: it cannot stand for a subset of them (a condition),
        // nor for rows matched by count only (rejected without their rowid)
        Optional<CopyDigest> usable = condition.isEmpty() && rejected.withoutRowid(table.name()) == 0 ? digest
                : Optional.empty();
        return new Comparison(table, new RowHasher(sqliteFields), new RowHasher(postgresFields), select, condition,
                rejected.rowids(table.name()), rejected.withoutRowid(table.name()), skippedNote, note, usable);
    }

    /** One table's comparison: the two ways to read it, and what the target is expected to lack. */
    private static final class Comparison {
        private final TablePlan table;
        private final RowHasher sqliteHasher;
        private final RowHasher postgresHasher;
        /** The SELECT of PostgreSQL's compared columns and rows. */
        private final String select;
        private final String condition;
        private final Set<Long> rejectedRowids;
        private final int rejectedWithoutRowid;
        private final Optional<String> skippedColumns;
        private final Optional<String> note;
        private final Optional<CopyDigest> digest;
        /** What an earlier verification saw of the table, if its digest still starts where it did then. */
        private Optional<DigestStore.Verified> verified = Optional.empty();
        /** Whether the digest stood for the rows it covers, once run (the table was then found equal). */
        private boolean digestUsed;
        /** Whether the table was found equal by {@link #verified}, reading only rows written since, once run. */
        private boolean sinceVerified;
        /** What this run saw of PostgreSQL's table, once found equal by its digest. */
        private Optional<DigestStore.Verified> seen = Optional.empty();
        /** The oldest transaction running when PostgreSQL's table was read (32-bit), once read. */
        private long postgresXmin;
        /** The rows found equal, once run. */
        private long rows;
        /** How the table differs, once run. */
        private Optional<Verdict.Difference> difference = Optional.empty();

        Comparison(TablePlan table, RowHasher sqliteHasher, RowHasher postgresHasher, String select,
                String condition, Set<Long> rejectedRowids, int rejectedWithoutRowid,
                Optional<String> skippedColumns, Optional<String> note, Optional<CopyDigest> digest) {
            this.table = table;
            this.digest = digest;
            this.sqliteHasher = sqliteHasher;
            this.postgresHasher = postgresHasher;
            this.select = select;
            this.condition = condition;
            this.rejectedRowids = rejectedRowids;
            this.rejectedWithoutRowid = rejectedWithoutRowid;
            this.skippedColumns = skippedColumns;
            this.note = rejectedWithoutRowid == 0 ? note : Optional.of(note.map(n -> n + "; ").orElse("")
                    + table.name() + ": " + rejectedWithoutRowid + " rows rejected without a known rowid, matched by"
                    + " count only");
        }

        Optional<String> skippedColumns() {
            return skippedColumns;
        }

        Optional<String> note() {
            return note;
        }

        /** Compares the table; returns how it differs, if it does. */
        Optional<Verdict.Difference> run(Connection snapshot, PostgresTarget target, ExecutorService postgresSide)
                throws SQLException {
            if (verified.isPresent() && digest.get().from().equals(Checkpoint.START)
                    && equalSinceVerified(snapshot, target, verified.get(), digest.get())) {
                rows = digest.get().rows();
                digestUsed = true;
                sinceVerified = true;
                return Optional.empty();
            }
            Digest sqlite = new Digest(false);
            Digest postgres = new Digest(false);
            if (digest.isPresent()) {
                sqlite.add(digest.get());
                read(snapshot, target, postgresSide, digest.get().uncovered(table.rowidExpression()), sqlite, postgres);
            } else {
                read(snapshot, target, postgresSide, List.of(condition), sqlite, postgres);
            }
            if (rejectedWithoutRowid == 0 && sqlite.count == postgres.count && sqlite.sum == postgres.sum) {
                rows = postgres.count;
                digestUsed = digest.isPresent();
                seen = digestUsed && digest.get().from().equals(Checkpoint.START)
                        ? Optional.of(new DigestStore.Verified(rows, postgresXmin, digest.get().hashSum()))
                        : Optional.empty();
                return Optional.empty();
            }
            // differs (or rows are expected missing without their rowid): read again, keeping each row's hash
            sqlite = new Digest(true);
            postgres = new Digest(true);
            read(snapshot, target, postgresSide, List.of(condition), sqlite, postgres);
            long[] a = sqlite.sorted();
            long[] b = postgres.sorted();
            long common = common(a, b);
            long missing = a.length - common;
            long extra = b.length - common;
            if (extra == 0 && missing == rejectedWithoutRowid) {
                if (digest.isPresent()) {
                    // equal, read in full: the digest was wrong (the port's fault, not the target's)
                    LOG.warn("verify: the digest the port kept of {} did not match the snapshot; compared in full,"
                            + " the table is equal", table.name());
                }
                rows = postgres.count;
                return Optional.empty();
            }
            return Optional.of(new Verdict.Difference(table.name(), sqlite.count, postgres.count, missing, extra));
        }

        /**
         * Reads PostgreSQL's table in full and, at the same time, the snapshot's rows each of
         * {@code conditions} selects.
         */
        private void read(Connection snapshot, PostgresTarget target, ExecutorService postgresSide,
                List<String> conditions, Digest sqlite, Digest postgres) throws SQLException {
            Future<Void> pg = postgresSide.submit(() -> {
                readPostgres(target, postgres);
                return null;
            });
            try {
                EncodedRows rows = new EncodedRows(table);
                for (String where : conditions) {
                    rows.forEach(snapshot, rejectedRowids, where,
                            (rowid, line, length) -> sqlite.add(sqliteHasher.hash(line, 0, length)));
                }
            } catch (SQLException | RuntimeException e) {
                pg.cancel(true);
                throw e;
            }
            SnapshotWorkers.await(pg);
        }

        /**
         * Whether the table is still what an earlier verification found equal, plus exactly the
         * rows the digest gained since. PostgreSQL's rows with a row version older than the
         * oldest transaction running then must be as many as it saw (an update or a delete
         * since leaves fewer; nothing can add older ones), and those newer must be the rows
         * the digest gained, by count and hash sum (only they are read, from the first page that
         * holds one). The snapshot must hold no row past the digest's end. Not trusted for a
         * transaction so old its number may have wrapped around.
         */
        private boolean equalSinceVerified(Connection snapshot, PostgresTarget target, DigestStore.Verified earlier,
                CopyDigest digest) throws SQLException {
            long gainedRows = digest.rows() - earlier.rows();
            long gainedSum = digest.hashSum() - earlier.hashSum();
            if (gainedRows < 0 || (gainedRows == 0 && gainedSum != 0)) {
                return false;
            }
            long[] beyond = new long[1];
            EncodedRows encoded = new EncodedRows(table);
            for (String where : digest.uncovered(table.rowidExpression())) {
                encoded.forEach(snapshot, rejectedRowids, where, (rowid, line, length) -> beyond[0]++);
            }
            if (beyond[0] > 0) {
                return false;
            }
            // the earlier transaction's age once per statement (an InitPlan), each row's once
            String earlierAge = "(SELECT age('" + earlier.xmin() + "'::xid))";
            String newer = "age(xmin) <= " + earlierAge;
            try (Connection c = target.open()) {
                long xmin = snapshotXmin(c);
                long firstPage;
                // one test per row: the page of each newer row, NULL for an older one (OFFSET 0
                // keeps the subquery, so that the aggregates do not each repeat the test)
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), count(page),"
                        + " min(page), " + earlierAge + " FROM (SELECT CASE WHEN " + newer
                        + " THEN (ctid::text::point)[0] END AS page FROM " + Identifiers.quote(table.name())
                        + " OFFSET 0) AS versions")) {
                    rs.next();
                    if (rs.getLong(1) - rs.getLong(2) != earlier.rows() || rs.getLong(2) != gainedRows
                            || rs.getLong(4) >= MAX_XID_AGE) {
                        return false;
                    }
                    firstPage = (long) rs.getDouble(3);
                }
                if (gainedRows == 0) {
                    seen = Optional.of(earlier); // nothing to record anew
                    return true;
                }
                // the newer rows lie from that page on (a TID range scan reads only those pages); one
                // written below it since the count would be missed, and the counts then differ
                Digest gained = new Digest(false);
                copyOut(c, "COPY (" + select + " WHERE ctid >= '(" + firstPage + ",0)'::tid AND " + newer
                        + ") TO STDOUT", gained);
                if (gained.count != gainedRows || gained.sum != gainedSum) {
                    return false;
                }
                seen = Optional.of(new DigestStore.Verified(digest.rows(), xmin, digest.hashSum()));
                return true;
            }
        }

        /** The oldest transaction running, as a 32-bit xid: taken before a read, no newer than the read's own. */
        private static long snapshotXmin(Connection c) throws SQLException {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        private void readPostgres(PostgresTarget target, Digest digest) throws SQLException {
            try (Connection c = target.open()) {
                postgresXmin = snapshotXmin(c);
                copyOut(c, "COPY (" + select + ") TO STDOUT", digest);
            }
        }

        /** Hashes every row {@code command} (a COPY TO STDOUT) gives into {@code digest}. */
        private void copyOut(Connection c, String command, Digest digest) throws SQLException {
            CopyOutRows.forEach(c, command, (row, length) -> {
                digest.add(postgresHasher.hash(row, 0, length));
                return true;
            });
        }

        /** How many hashes the two sorted arrays share, duplicates counted as often as both hold them. */
        private static long common(long[] a, long[] b) {
            int i = 0;
            int j = 0;
            long shared = 0;
            while (i < a.length && j < b.length) {
                if (a[i] == b[j]) {
                    shared++;
                    i++;
                    j++;
                } else if (a[i] < b[j]) {
                    i++;
                } else {
                    j++;
                }
            }
            return shared;
        }
    }

    /** Row count and hash sum (mod 2^64) of one side; with {@code keep}, every hash too. */
    private static final class Digest {
        private final boolean keep;
        private long count;
        private long sum;
        private long[] hashes;

        Digest(boolean keep) {
            this.keep = keep;
            this.hashes = keep ? new long[1024] : null;
        }

        /** Adds the rows of a digest the port kept (never with {@code keep}). */
        void add(CopyDigest digest) {
            count += digest.rows();
            sum += digest.hashSum();
        }

        void add(long hash) {
            if (keep) {
                if (count == hashes.length) {
                    hashes = Arrays.copyOf(hashes, hashes.length * 2);
                }
                hashes[(int) count] = hash;
            }
            count++;
            sum += hash;
        }

        long[] sorted() {
            long[] sorted = Arrays.copyOf(hashes, (int) count);
            Arrays.sort(sorted);
            return sorted;
        }
    }
}
