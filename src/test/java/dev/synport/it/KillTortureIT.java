package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.DatabaseState;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGKILL of the real process at random moments, then a rerun: the end state (tables, rows,
 * exact sequence states, indexes and constraints) is always that of an uninterrupted port.
 * Kills come at delays drawn uniformly over the measured duration of an uninterrupted port
 * (so they fall into schema creation, COPY, index builds, sequence setup and the sequence
 * check in proportion to their time), sometimes twice in a row before the rerun, and at
 * moments seen on the target: a statement of one kind running in {@code pg_stat_activity}.
 * The seed is printed; {@code -Dkill.seed=N} repeats a run.
 */
@ExtendWith(PostgresExtension.class)
class KillTortureIT {
    private static final String INIT = "pg-v94-synapse-init.sql";
    /** Kills per kind of target; two kinds make the 20 of the requirement. */
    private static final int KILLS = 10;
    /** Statements to kill during, seen in pg_stat_activity (schema creation only into an empty target). */
    private static final List<String> MOMENTS = List.of("CREATE TABLE", "COPY", "CREATE INDEX", "setval",
            "last_value");

    @ParameterizedTest
    @ValueSource(strings = {"prepared", "empty"})
    void everyKillFollowedByARerunEndsAsAnUninterruptedPort(String kind, PostgresServer pg, @TempDir Path dir)
            throws Exception {
        long seed = Long.getLong("kill.seed", System.nanoTime());
        System.out.println("KillTortureIT " + kind + ": seed " + seed + " (repeat with -Dkill.seed=" + seed + ")");
        Random random = new Random(seed);
        String init = kind.equals("prepared") ? INIT : null;
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 1000, 7);

        Target reference = Target.create(pg, "kill_reference_" + kind, init, dir);
        long started = System.nanoTime();
        Path referenceLog = dir.resolve("reference.log");
        assertThat(JarRun.run(referenceLog, args(sqlite, reference, dir, "reference"))).as("%s",
                Files.readString(referenceLog)).isZero();
        long duration = System.nanoTime() - started;
        DatabaseState expected = reference.state();
        System.out.printf(Locale.ROOT, "KillTortureIT %s: an uninterrupted port takes %d ms%n", kind,
                TimeUnit.NANOSECONDS.toMillis(duration));

        int kills = 0;
        TreeMap<String, Integer> seen = new TreeMap<>();
        List<String> moments = MOMENTS.stream().filter(m -> init == null || !m.equals("CREATE TABLE")).toList();
        for (int round = 0; kills < KILLS && round < 3 * KILLS; round++) {
            Target target = Target.create(pg, "kill_" + kind + "_" + round, init, dir);
            int inARow = 1 + random.nextInt(3);
            for (int k = 0; k < inARow; k++) {
                String name = "round" + round + "-kill" + k;
                Process process = JarRun.start(dir.resolve(name + ".log"), args(sqlite, target, dir, name));
                String moment;
                if ((round + k) % 2 == 1) {
                    String statement = moments.get(random.nextInt(moments.size()));
                    moment = awaitStatement(target, process, statement) ? "during " + statement : "none";
                } else {
                    long delay = (long) (random.nextDouble() * duration);
                    process.waitFor(delay, TimeUnit.NANOSECONDS);
                    moment = "after " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms";
                }
                boolean alive = process.isAlive();
                process.destroyForcibly();
                assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
                if (alive) {
                    kills++;
                    seen.merge(moment.startsWith("during") ? moment : "at a random moment", 1, Integer::sum);
                } else {
                    assertThat(process.exitValue()).as("finished before the kill; %s",
                            Files.readString(dir.resolve(name + ".log"))).isZero();
                }
                List<String> output = Files.readAllLines(dir.resolve(name + ".log"));
                String last = output.isEmpty() ? "(no output yet)" : output.get(output.size() - 1).strip();
                System.out.printf(Locale.ROOT, "KillTortureIT %s: %s %s; last output: %s%n", name,
                        alive ? "killed" : "finished", moment, last.substring(0, Math.min(100, last.length())));
            }
            String name = "round" + round + "-rerun";
            Path log = dir.resolve(name + ".log");
            assertThat(JarRun.run(log, args(sqlite, target, dir, name))).as("rerun after round %d (seed %d): %s",
                    round, seed, Files.readString(log)).isZero();
            assertThat(target.state().exactDifferences(expected)).as("round %d (seed %d)", round, seed).isEmpty();
        }
        System.out.println("KillTortureIT " + kind + ": " + kills + " kills: " + seen);
        assertThat(kills).as("kills of a running port").isGreaterThanOrEqualTo(KILLS);
    }

    private static String[] args(Path sqlite, Target target, Path dir, String name) {
        return new String[] {"--sqlite-database", sqlite.toString(), "--postgres-config", target.config().toString(),
            "--batch-size", "200", "--jobs", "2", "--defer-indexes-from", "1000", "--report",
            dir.resolve(name + ".jsonl").toString(), "--log-file", dir.resolve(name + ".port.log").toString()};
    }

    /**
     * Waits until the port runs a statement containing {@code text} on the target, or ends;
     * returns whether it was seen (a short statement can come and go between two looks).
     */
    private static boolean awaitStatement(Target target, Process process, String text) throws Exception {
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM"
                + " pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                + " AND state = 'active' AND strpos(query, ?) > 0")) {
            ps.setString(1, text);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (process.isAlive() && System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
                Thread.sleep(2);
            }
        }
        return false;
    }
}
