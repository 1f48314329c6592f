package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.config.ConfigLoader;
import dev.synport.port.CopySettings;
import dev.synport.port.StopRequest;
import dev.synport.progress.PlannedTable;
import dev.synport.progress.ProgressSnapshot;
import dev.synport.progress.ProgressTracker;
import dev.synport.run.Porter;
import dev.synport.synapse.SynapseRules;
import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.SqliteCounts;
import dev.synport.testing.Target;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress of a real port of a synthetic 50,000-event snapshot, sampled the way a view
 * samples it: the total is known when the copy starts and never grows, the fraction never goes
 * back nor reaches 100% before the end. How honest the ETA is depends on timing, so it is
 * measured by {@code scripts/bench} (each progress line's ETA against the real end), not here.
 */
@ExtendWith(PostgresExtension.class)
class ProgressIT {
    @Test
    void totalIsKnownAtTheStartOfTheCopyAndNeverMovesBack(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 50_000, 5);
        Target target = Target.create(pg, "progress_50k", "pg-v94-synapse-init.sql", dir);
        ProgressTracker tracker = new ProgressTracker(Clock.systemUTC(), Optional.empty());
        List<ProgressSnapshot> samples = new ArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            ProgressSnapshot sample = tracker.snapshot();
            synchronized (samples) {
                samples.add(sample);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        new Porter(SynapseRules.load(), tracker, new StopRequest()).run(sqlite,
                new ConfigLoader(Map.of()).load(target.config()), new CopySettings(1000, 64 << 20, 3, 20_000),
                dir.resolve("report.jsonl"));
        sampler.shutdown();
        assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        tracker.finished();

        // the total is every planned table's count in the snapshot (a fresh target: nothing ported before)
        Map<String, Long> counts = SqliteCounts.rows(sqlite);
        long expected = tracker.plan().stream().mapToLong(t -> counts.get(t.name())).sum();
        assertThat(tracker.plan()).extracting(PlannedTable::rowsToCopy).containsExactlyElementsOf(
                tracker.plan().stream().map(t -> counts.get(t.name())).toList());
        assertThat(expected).isGreaterThan(200_000);
        assertThat(tracker.snapshot().rowsDone()).isEqualTo(expected);

        List<ProgressSnapshot> copying = samples.stream().filter(s -> s.rowsTotal() > 0).toList();
        assertThat(copying).as("samples during the copy").hasSizeGreaterThan(5);
        assertThat(copying.get(0).rowsDone()).as("the first sample of the copy is near its start")
                .isLessThan(expected / 2);
        assertThat(copying).allSatisfy(s -> assertThat(s.rowsTotal()).isEqualTo(expected));
        for (int i = 1; i < copying.size(); i++) {
            assertThat(copying.get(i).fraction()).isGreaterThanOrEqualTo(copying.get(i - 1).fraction());
        }
        assertThat(copying).allSatisfy(s -> assertThat(s.fraction()).isLessThan(1.0));
        assertThat(tracker.snapshot().fraction()).isEqualTo(1.0);
    }
}
