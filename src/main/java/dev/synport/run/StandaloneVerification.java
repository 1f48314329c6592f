package dev.synport.run;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.config.LoadedConfig;
import dev.synport.port.Planner;
import dev.synport.port.PortPlan;
import dev.synport.postgres.CatalogReader;
import dev.synport.postgres.PortLock;
import dev.synport.postgres.PostgresTarget;
import dev.synport.postgres.TargetCatalog;
import dev.synport.postgres.TargetErrors;
import dev.synport.run.Porter;
import dev.synport.schema.TargetCheck;
import dev.synport.sqlite.Snapshot;
import dev.synport.sqlite.SnapshotInspector;
import dev.synport.sqlite.SnapshotSchema;
import dev.synport.synapse.SynapseRules;
import dev.synport.verify.RejectedRows;
import dev.synport.verify.SequenceVerifier;
import dev.synport.verify.Verdict;
import dev.synport.verify.Verifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code synapse-port-db verify}: compares a target with a snapshot after a port, planned as
 * the port plans (same tables, columns and value policy), under the port's advisory lock so
 * that no port writes while it reads. Writes nothing.
 */
public final class StandaloneVerification {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneVerification.class);
    private final SynapseRules rules;
    private final Consumer<String> phase;

    /** @param phase told what the verification is doing, for the log */
    public StandaloneVerification(SynapseRules rules, Consumer<String> phase) {
        this.rules = rules;
        this.phase = phase;
    }

    public Verdict run(Path sqlitePath, LoadedConfig config, int jobs, RejectedRows rejected) {
        TargetErrors errors = new TargetErrors(System.getProperty("user.name", "(unknown)"));
        phase.accept("Checking the SQLite snapshot " + sqlitePath);
        try (Snapshot snapshot = Snapshot.locate(sqlitePath, phase)) {
            SnapshotSchema schema = new SnapshotInspector(snapshot).inspectAndCheck();
            phase.accept("Connecting to PostgreSQL " + config.settings().describe());
            try (PostgresTarget target = PostgresTarget.connect(config.settings(), jobs + 2, errors);
                    Connection control = target.open();
                    PortLock ignored = PortLock.acquire(target.open(), config.settings().database(), LOG::warn)) {
                TargetCatalog catalog = new CatalogReader().read(control);
                if (catalog.isEmpty()) {
                    throw new PortException(FailureReason.PORT_FAILED, "the target database is empty: nothing has"
                            + " been ported into it yet");
                }
                new TargetCheck().checkSchema(catalog, schema.schemaVersion());
                PortPlan plan = new Planner(rules, Porter.serverName(config, snapshot)).plan(schema, catalog);
                phase.accept("Verifying " + plan.tables().size() + " tables and the sequences");
                List<String> sequences = new SequenceVerifier().problems(control, catalog, rules.sequences());
                // reads both sides in full: the digests a port keeps go with it
                return new Verifier(rules, jobs).verify(snapshot, target, control, catalog, plan, rejected, sequences,
                        Map.of(), Map.of());
            }
        } catch (SQLException e) {
            throw new PortException(FailureReason.PORT_FAILED, errors.porting(config.settings(), e), e);
        }
    }
}
