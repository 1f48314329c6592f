package dev.synport.run;

import dev.synport.FailureReason;
import dev.synport.Identifiers;
import dev.synport.PortException;
import dev.synport.config.LoadedConfig;
import dev.synport.digest.RowHasher;
import dev.synport.port.CopyDigests;
import dev.synport.port.CopyScheduler;
import dev.synport.port.CopySettings;
import dev.synport.port.CopyStarts;
import dev.synport.port.DigestProof;
import dev.synport.port.RecordChecksums;
import dev.synport.port.RowRewrite;
import dev.synport.port.NewerTargetCheck;
import dev.synport.port.Planner;
import dev.synport.port.PortPlan;
import dev.synport.port.SameServerCheck;
import dev.synport.port.SequenceSetter;
import dev.synport.port.SnapshotMaxima;
import dev.synport.port.StopRequest;
import dev.synport.port.TablePlan;
import dev.synport.postgres.CatalogReader;
import dev.synport.postgres.Checkpoint;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.CopyDigest;
import dev.synport.postgres.DeferredIndexes;
import dev.synport.postgres.DigestStore;
import dev.synport.postgres.LockGuard;
import dev.synport.postgres.PortLock;
import dev.synport.postgres.PostgresTarget;
import dev.synport.postgres.SnapshotStates;
import dev.synport.postgres.TargetCatalog;
import dev.synport.postgres.TargetErrors;
import dev.synport.postgres.Transaction;
import dev.synport.progress.ProgressListener;
import dev.synport.report.JsonLinesReport;
import dev.synport.schema.PostgresKnowledge;
import dev.synport.schema.SchemaBuilder;
import dev.synport.schema.SchemaScript;
import dev.synport.schema.TargetCheck;
import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotDdlReader;
import dev.synport.sqlite.SnapshotInspector;
import dev.synport.sqlite.SnapshotSchema;
import dev.synport.sqlite.SnapshotWorkers;
import dev.synport.synapse.SynapseRules;
import dev.synport.verify.RejectedRows;
import dev.synport.verify.SequenceVerifier;
import dev.synport.verify.Verdict;
import dev.synport.verify.Verifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a port from start to end: pre-flight checks on both sides (nothing is written before
 * they pass), the advisory lock, sequences, the copy in foreign-key order, Synapse's special
 * tables, the sequence check, and (unless turned off) the verification of every table.
 */
public final class Porter {
    private static final Logger LOG = LoggerFactory.getLogger(Porter.class);
    /** {@code CREATE INDEX name ON [ONLY] [schema.]table ...}: a non-unique index, built after the copy. */
    private static final Pattern PLAIN_INDEX = Pattern.compile(
            "CREATE INDEX (\"(?:[^\"]|\"\")+\"|\\S+) ON (?:ONLY )?(?:\\w+\\.)?(\"(?:[^\"]|\"\")+\"|[^\\s(]+)");

    private final SynapseRules rules;
    private final ProgressListener progress;
    private final StopRequest stop;
    private final boolean verify;

    /** A port that verifies its result. */
    public Porter(SynapseRules rules, ProgressListener progress, StopRequest stop) {
        this(rules, progress, stop, true);
    }

    /**
     * @param stop checked between batches and between the phases after the copy
     * @param verify compare every table with the snapshot at the end ({@code --verify})
     */
    public Porter(SynapseRules rules, ProgressListener progress, StopRequest stop, boolean verify) {
        this.rules = rules;
        this.progress = progress;
        this.stop = stop;
        this.verify = verify;
    }

    public PortSummary run(Path sqlitePath, LoadedConfig config, CopySettings copySettings, Path reportPath) {
        TargetErrors errors = new TargetErrors(System.getProperty("user.name", "(unknown)"));
        progress.phase("Checking the SQLite snapshot " + sqlitePath);
        try (Snapshot snapshot = Snapshot.locate(sqlitePath, progress::phase)) {
            SnapshotSchema schema = new SnapshotInspector(snapshot).inspectAndCheck();
            LOG.info("snapshot {}: Synapse schema version {}, {} tables, read with SQLite {}", snapshot.file(),
                    schema.schemaVersion(), schema.tables().size(), sqliteVersion(snapshot));
            config.warnings().forEach(progress::warning);
            progress.phase("Connecting to PostgreSQL " + config.settings().describe());
            try (PostgresTarget target = PostgresTarget.connect(config.settings(), copySettings.workers() + 2, errors);
                    JsonLinesReport report = new JsonLinesReport(reportPath)) {
                return port(snapshot, schema, target, config, copySettings, report);
            }
        } catch (SQLException e) {
            throw new PortException(FailureReason.PORT_FAILED, errors.porting(config.settings(), e), e);
        }
    }

    private PortSummary port(Snapshot snapshot, SnapshotSchema schema, PostgresTarget target, LoadedConfig config,
            CopySettings copySettings, JsonLinesReport report) throws SQLException {
        CheckpointStore checkpoints = new CheckpointStore();
        CatalogReader catalogs = new CatalogReader();
        TargetCheck check = new TargetCheck();
        DeferredIndexes indexes = new DeferredIndexes(copySettings.deferIndexesFrom());
        try (Connection control = target.open()) {
            TargetCatalog catalog = catalogs.read(control);
            LOG.info("target: PostgreSQL {}, encoding {}, LC_COLLATE {}, LC_CTYPE {}, schema {}, {}",
                    catalog.serverVersion(), catalog.encoding(), catalog.collate(), catalog.ctype(), catalog.schema(),
                    catalog.isEmpty() ? "empty" : "Synapse schema version " + catalog.schemaVersion().orElse(-1));
            check.checkDatabase(catalog, config.allowUnsafeLocale(), progress::warning);
            Optional<SchemaScript> creation = Optional.empty();
            if (catalog.isEmpty()) {
                // built before anything is written: an unknown schema version stops here
                creation = Optional.of(new SchemaBuilder(PostgresKnowledge.load()).build(
                        new SnapshotDdlReader(snapshot).read()));
            } else {
                check.checkSchema(catalog, schema.schemaVersion());
                refuseLiveTarget(control, catalog);
                try (Connection sqlite = snapshot.open()) {
                    new SameServerCheck().refuseOtherServer(sqlite, control, catalog);
                }
            }
            try (PortLock lock = PortLock.acquire(target.open(), config.settings().database(), progress::warning)) {
                LockGuard guard = lock.guard();
                if (creation.isPresent()) {
                    if (!catalogs.read(control).isEmpty()) {
                        throw new PortException(FailureReason.PORT_FAILED, "the target database stopped being empty"
                                + " while this port started; run the port again");
                    }
                    progress.phase("Creating Synapse's schema (version " + creation.get().schemaVersion()
                            + ") in the empty target");
                    createSchema(control, creation.get(), checkpoints, indexes, guard);
                    catalog = catalogs.read(control);
                    check.checkSchema(catalog, schema.schemaVersion());
                }
                PortPlan plan = new Planner(rules, serverName(config, snapshot)).plan(schema, catalog);
                progress.phase("Setting up sequences and the tracking table");
                List<SequenceSetter.Setting> sequences;
                try (Connection sqlite = snapshot.open()) {
                    SnapshotMaxima maxima = new SnapshotMaxima(sqlite);
                    new NewerTargetCheck().refuseNewerTarget(control, maxima, schema, catalog, rules.sequences());
                    sequences = new SequenceSetter().compute(sqlite, maxima, schema, catalog, rules.sequences());
                }
                stopIfRequested();
                String fingerprint = snapshot.fingerprint().id();
                Map<String, List<RowHasher.Canon>> digestFields = new HashMap<>();
                if (verify) {
                    for (TablePlan table : plan.tables()) {
                        digestFields.put(table.name(), CopyDigests.fieldsOf(table, catalog.table(table.name())
                                .orElseThrow()));
                    }
                }
                DigestProof.Proofs proofs = proveEarlierRows(snapshot, control, plan, digestFields, fingerprint,
                        copySettings.workers());
                stopIfRequested();
                Prepared prepared = prepare(control, checkpoints, indexes, plan, catalog, sequences, fingerprint,
                        guard, digestFields, proofs);
                progress.sequencesSet(sequences.stream().collect(Collectors.toMap(SequenceSetter.Setting::sequence,
                        SequenceSetter.Setting::value, (a, b) -> b)));
                if (verify) {
                    progress.verificationPlanned();
                }
                progress.phase("Copying " + plan.tables().size() + " tables");
                CopyScheduler scheduler = new CopyScheduler(snapshot, target, checkpoints, indexes, report, progress,
                        copySettings, stop, guard, prepared.digests());
                scheduler.run(plan, prepared.positions(), prepared.rewritten());
                progress.copyFinished();
                snapshot.checkUnchanged();
                stopIfRequested();
                if (verify) {
                    Optional<RecordChecksums> records = RecordChecksums.of(snapshot);
                    if (records.isPresent()) {
                        records.get().record(new SnapshotWorkers(snapshot, copySettings.workers()), control, guard,
                                plan, fingerprint, proofs.byRecords());
                    }
                }
                indexes.rebuildAll(control, guard, scheduler.removals(plan));
                stopIfRequested();
                progress.phase("Checking sequences");
                new SequenceVerifier().verify(control, catalog, rules.sequences());
                List<String> verdict = List.of();
                if (verify) {
                    verdict = verify(snapshot, target, control, catalog, plan, copySettings, report, fingerprint,
                            guard);
                } else {
                    LOG.info("verification skipped (--no-verify)");
                }
                snapshot.checkUnchanged();
                new SnapshotStates().drop(control);
                indexes.dropLedgerIfEmpty(control);
                return new PortSummary(plan.skipped(), report.written(), verdict);
            }
        }
    }

    /**
     * Compares the target with the snapshot, using the digests of the rows this snapshot state
     * gave (which stand for reading them again); returns the verdict's lines, or fails naming
     * what differs, once the next run is set to copy those tables again from their start.
     */
    private List<String> verify(Snapshot snapshot, PostgresTarget target, Connection control, TargetCatalog catalog,
            PortPlan plan, CopySettings copySettings, JsonLinesReport report, String fingerprint, LockGuard guard)
            throws SQLException {
        progress.phase("Verifying " + plan.tables().size() + " tables against the snapshot");
        long started = System.nanoTime();
        Map<String, Checkpoint> reached = new CheckpointStore().readAll(control);
        DigestStore store = new DigestStore();
        Map<String, CopyDigest> digests = new HashMap<>(store.readAll(control));
        digests.entrySet().removeIf(d -> !d.getValue().holdsAt(fingerprint, reached.get(d.getKey())));
        Map<String, DigestStore.Verified> verified = store.readVerified(control);
        // the sequence check just before passed (it fails the run otherwise), and nothing was written since
        Verdict verdict = new Verifier(rules, copySettings.workers()).verify(snapshot, target, control, catalog, plan,
                report.written().map(p -> RejectedRows.read(List.of(p))).orElse(RejectedRows.none()), List.of(),
                digests, verified);
        LOG.info("verification took {} ms", (System.nanoTime() - started) / 1_000_000);
        verdict.lines().forEach(line -> LOG.info("verify: {}", line));
        if (verdict.ok()) {
            Transaction.run(control, guard, () -> {
                for (Map.Entry<String, DigestStore.Verified> seen : verdict.verified().entrySet()) {
                    if (!seen.getValue().equals(verified.get(seen.getKey()))) {
                        store.setVerified(control, seen.getKey(), seen.getValue());
                    }
                }
                return null;
            });
        } else {
            Transaction.run(control, guard, () -> {
                SnapshotStates states = new SnapshotStates();
                for (Verdict.Difference difference : verdict.differences()) {
                    store.delete(control, difference.table());
                    states.forget(control, difference.table());
                }
                return null;
            });
            throw new PortException(FailureReason.PORT_FAILED, verdict.failure());
        }
        return verdict.lines();
    }

    private void stopIfRequested() {
        if (stop.isRequested()) {
            throw StopRequest.interrupted();
        }
    }

    /**
     * Creates Synapse's schema in an empty target, in one transaction with the tracking table:
     * everything but the plain indexes, which go into the ledger to be built after their
     * table's copy (so that a run stopped before then builds them on the next run).
     */
    private static void createSchema(Connection c, SchemaScript script, CheckpointStore checkpoints,
            DeferredIndexes indexes, LockGuard guard) throws SQLException {
        Transaction.run(c, guard, () -> {
            try (Statement st = c.createStatement()) {
                for (String statement : script.beforeData()) {
                    st.execute(statement);
                }
                checkpoints.ensureTable(c);
                indexes.ensureLedger(c);
                for (String statement : script.afterData()) {
                    Matcher plain = PLAIN_INDEX.matcher(statement);
                    if (plain.lookingAt()) {
                        indexes.enqueue(c, unquote(plain.group(1)), unquote(plain.group(2)), statement);
                    } else {
                        st.execute(statement);
                    }
                }
            }
            return null;
        });
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("\"")
                ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"") : identifier;
    }

    private static String sqliteVersion(Snapshot snapshot) throws SQLException {
        try (Connection sqlite = snapshot.open(); Statement st = sqlite.createStatement();
                ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The config's server_name, or else the domain of the snapshot's local users. */
    public static Optional<String> serverName(LoadedConfig config, Snapshot snapshot) throws SQLException {
        if (config.serverName().isPresent()) {
            return config.serverName();
        }
        try (Connection sqlite = snapshot.open(); Statement st = sqlite.createStatement();
                ResultSet rs = st.executeQuery("SELECT substr(name, instr(name, ':') + 1) FROM users"
                        + " WHERE instr(name, ':') > 0 LIMIT 1")) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    /** A target that Synapse has been running on must not be ported into: that would damage it. */
    private static void refuseLiveTarget(Connection control, TargetCatalog catalog) throws SQLException {
        if (catalog.table(CheckpointStore.TABLE).isPresent() || catalog.table("events").isEmpty()) {
            return;
        }
        try (Statement st = control.createStatement();
                ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM events)")) {
            rs.next();
            if (rs.getBoolean(1)) {
                throw new PortException(FailureReason.PORT_FAILED, "the target database already holds events that"
                        + " no port wrote (Synapse has run on it?); porting into it would damage it: use a freshly"
                        + " prepared, empty database");
            }
        }
    }

    /**
     * With the verification, after an earlier port: whether each append-only table's rows that
     * port copied (from another state of the snapshot) are still this snapshot's, by their
     * digest: by the hash of their stored records where it can, else by reading those rows
     * again, which the verification then need not do.
     */
    private DigestProof.Proofs proveEarlierRows(Snapshot snapshot, Connection control, PortPlan plan,
            Map<String, List<RowHasher.Canon>> digestFields, String fingerprint, int jobs) throws SQLException {
        DigestStore store = new DigestStore();
        if (!verify || !store.exists(control)) {
            return DigestProof.Proofs.NONE;
        }
        Map<String, CopyDigest> stored = store.readAll(control);
        if (stored.values().stream().allMatch(d -> d.snapshot().equals(fingerprint))) {
            return DigestProof.Proofs.NONE;
        }
        progress.phase("Checking that the rows earlier runs copied are unchanged in this snapshot");
        DigestProof.Proofs proofs = new DigestProof().check(new SnapshotWorkers(snapshot, jobs), plan,
                new CheckpointStore().readAll(control), stored, digestFields, fingerprint,
                RecordChecksums.of(snapshot), store.readRecordHashes(control));
        proofs.holds().forEach((table, holds) -> {
            if (!holds) {
                progress.warning(table + ": rows an earlier run copied have changed or gone in this snapshot"
                        + " (Synapse's purges and redactions do that), or PostgreSQL refused some of them then:"
                        + " the table is copied again");
            }
        });
        return proofs;
    }

    /**
     * In one transaction: the tracking table, the sequences, the tables {@link CopyStarts}
     * does not resume emptied and their checkpoints reset, the special tables given their
     * content, the rebuilds queued, each digest's start recorded (with the verification).
     */
    private Prepared prepare(Connection c, CheckpointStore checkpoints, DeferredIndexes indexes,
            PortPlan plan, TargetCatalog catalog, List<SequenceSetter.Setting> sequences, String fingerprint,
            LockGuard guard, Map<String, List<RowHasher.Canon>> digestFields, DigestProof.Proofs proofs)
            throws SQLException {
        return Transaction.run(c, guard, () -> {
            checkpoints.ensureTable(c);
            checkpoints.upgradeLegacy(c);
            indexes.ensureLedger(c);
            new SequenceSetter().apply(c, sequences);
            Map<String, Checkpoint> existing = checkpoints.readAll(c);
            SnapshotStates states = new SnapshotStates();
            states.ensureTable(c);
            DigestStore digestStore = new DigestStore();
            Map<String, CopyDigest> stored = Map.of();
            if (verify) {
                digestStore.ensureTable(c);
                stored = digestStore.readAll(c);
            } else {
                // nothing keeps them up to date without the verification
                digestStore.drop(c);
            }
            CopyStarts.Decision starts = new CopyStarts(plan, fingerprint).decide(existing,
                    states.copiedFromAnotherState(c, fingerprint, existing), stored, proofs.holds(), verify,
                    table -> verify && RowRewrite.applies(table, catalog.table(table.name()).orElseThrow()));
            Map<String, Checkpoint> positions = new LinkedHashMap<>();
            Map<String, Checkpoint> appendOnly = new LinkedHashMap<>();
            for (TablePlan table : plan.tables()) {
                Checkpoint position = starts.positions().get(table.name());
                positions.put(table.name(), position);
                if (table.appendOnly()) {
                    appendOnly.put(table.name(), position);
                }
            }
            states.record(c, appendOnly, fingerprint);
            checkpoints.setAll(c, positions);
            Map<String, CopyDigest> digests = new LinkedHashMap<>();
            Map<String, Long> recordHashes = new HashMap<>();
            for (Map.Entry<String, CopyDigest> digest : starts.digests().entrySet()) {
                if (starts.rewritten().contains(digest.getKey())) {
                    continue; // the digest of the rows the table holds until its rewrite commits
                }
                digests.put(digest.getKey(), digest.getValue());
                // a digest carried over by its stored records keeps their hash: this snapshot's too
                CopyDigest earlier = stored.get(digest.getKey());
                if (earlier != null && earlier.from().equals(digest.getValue().from())
                        && earlier.to().equals(digest.getValue().to())) {
                    recordHashes.put(digest.getKey(), proofs.recordHash(digest.getKey()));
                }
            }
            digestStore.setAll(c, digests, recordHashes);
            List<String> refill = new ArrayList<>(plan.refilledSpecially());
            plan.tables().stream().map(TablePlan::name).filter(starts.refilled()::contains).forEach(refill::add);
            if (!refill.isEmpty()) {
                try (Statement st = c.createStatement()) {
                    st.execute("TRUNCATE " + refill.stream().map(Identifiers::quote).collect(Collectors.joining(", ")));
                }
            }
            if (plan.refilledSpecially().contains(Planner.USER_DIRECTORY_STREAM_POS)) {
                try (Statement st = c.createStatement()) {
                    // Synapse expects one row; NULL means "not built yet", and the rebuild below fills it.
                    st.executeUpdate("INSERT INTO user_directory_stream_pos (stream_id) VALUES (NULL)");
                }
                queueRebuilds(c, catalog);
            }
            return new Prepared(starts.positions(), starts.rewritten(),
                    new CopyDigests(digestStore, digestFields, starts.digests()));
        });
    }

    /** Where each table's copy starts, which are rewritten row by row, and the digests the copy keeps. */
    private record Prepared(Map<String, Checkpoint> positions, Set<String> rewritten, CopyDigests digests) {}

    private void queueRebuilds(Connection c, TargetCatalog catalog) throws SQLException {
        if (catalog.table(Planner.BACKGROUND_UPDATES).isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO background_updates"
                + " (update_name, progress_json, depends_on) SELECT ?, '{}', ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM background_updates WHERE update_name = ?)")) {
            for (SynapseRules.RebuildUpdate update : rules.rebuildUpdates()) {
                ps.setString(1, update.name());
                ps.setString(2, update.dependsOn().orElse(null));
                ps.setString(3, update.name());
                ps.executeUpdate();
            }
        }
    }
}
