package dev.synport.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTextTest {
    @Test
    void countsAgreeWithTheirNumber() {
        assertThat(ProgressText.count(1, "value")).isEqualTo("1 value");
        assertThat(ProgressText.count(0, "value")).isEqualTo("0 values");
        assertThat(ProgressText.count(2, "row")).isEqualTo("2 rows");
        assertThat(ProgressText.count(1, "table")).isEqualTo("1 table");
        assertThat(ProgressText.count(1_234_567, "table")).isEqualTo("1,234,567 tables");
        assertThat(ProgressText.count(3, "index")).isEqualTo("3 indexes");
        assertThat(ProgressText.count(1, "index")).isEqualTo("1 index");
    }

    @Test
    void durationsAndBars() {
        assertThat(ProgressText.duration(Duration.ofMillis(4_250))).isEqualTo("4.2s");
        assertThat(ProgressText.duration(Duration.ofSeconds(187))).isEqualTo("3m07s");
        assertThat(ProgressText.duration(Duration.ofSeconds(7_509))).isEqualTo("2h05m09s");
        assertThat(ProgressText.bar(0.5, 10)).isEqualTo("[#####-----]");
        assertThat(ProgressText.bar(1.2, 4)).isEqualTo("[####]");
        assertThat(ProgressText.bar(0.99, 20)).as("full only when complete").isEqualTo("[" + "#".repeat(19) + "-]");
        assertThat(ProgressText.percent(0.999)).isEqualTo(99);
    }

    @Test
    void controlCharactersFromTheSnapshotAreNotPrinted() {
        assertThat(ProgressText.printable("ev\u001b[0mil\ttable\u0085")).isEqualTo("ev?[0mil?table?");
    }
}
