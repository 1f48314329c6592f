package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.PostgresExtension;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory does not grow with table size: the port of a 500,000-event synthetic database
 * (7.3 million rows, 2.2 GB) with default JVM settings peaks below 1 GiB resident.
 * Tagged {@code slow} (a few minutes): {@code mvn verify -DexcludedGroups=slow} leaves it out.
 */
@Tag("slow")
@ExtendWith(PostgresExtension.class)
class MemoryIT {
    private static final long ONE_GIB_IN_KIB = 1024 * 1024;

    @Test
    void peakResidentMemoryStaysUnderOneGibOnALargeDatabase(PostgresServer pg, @TempDir Path dir) throws Exception {
        Path sqlite = Fixtures.synthetic("synapse-v94-empty.db", 500_000, 1);
        Target target = Target.create(pg, "memory", "pg-v94-synapse-init.sql", dir);
        Path log = dir.resolve("port.log");
        Process process = JarRun.start(log, "--sqlite-database", sqlite.toString(), "--postgres-config",
                target.config().toString(), "--report", dir.resolve("report.jsonl").toString());
        long peak = 0;
        while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
            peak = Math.max(peak, JarRun.peakRssKib(process));
        }
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
        assertThat(peak).as("peak RSS in KiB").isPositive().isLessThan(ONE_GIB_IN_KIB);
        try (var c = target.connect()) {
            assertThat(CurrentSchemaIT.count(c, "state_groups_state")).isGreaterThan(2_000_000);
        }
        System.out.printf("MemoryIT: peak RSS %d MiB%n", peak / 1024);
    }
}
