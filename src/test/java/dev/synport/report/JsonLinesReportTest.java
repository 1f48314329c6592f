package dev.synport.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesReportTest {
    @Test
    void writesOneEscapedJsonObjectPerFindingAndOnlyWhenThereIsOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.jsonl");
        try (JsonLinesReport report = new JsonLinesReport(file)) {
            report.record(List.of());
            assertThat(report.written()).isEmpty();
            assertThat(file).doesNotExist();
            report.record(List.of(
                    new Finding("devices", -3, "device_id", Finding.Action.REPAIRED, "NUL", "a\0\"b\\\n"),
                    new Finding("t", 1, null, Finding.Action.REJECTED, "why", new byte[] {1, (byte) 0xff}),
                    new Finding("t", 2, "n", Finding.Action.REJECTED, "range", 4294967296L)));
            assertThat(report.count(Finding.Action.REPAIRED)).isEqualTo(1);
            assertThat(report.count(Finding.Action.REJECTED)).isEqualTo(2);
            assertThat(report.written()).contains(file);
        }
        assertThat(Files.readAllLines(file)).containsExactly(
                "{\"table\":\"devices\",\"rowid\":-3,\"column\":\"device_id\",\"action\":\"repaired\",\"reason\":\"NUL\","
                        + "\"original\":\"a\\u0000\\\"b\\\\\\n\"}",
                "{\"table\":\"t\",\"rowid\":1,\"column\":null,\"action\":\"rejected\",\"reason\":\"why\","
                        + "\"original\":{\"hex\":\"01ff\"}}",
                "{\"table\":\"t\",\"rowid\":2,\"column\":\"n\",\"action\":\"rejected\",\"reason\":\"range\","
                        + "\"original\":4294967296}");
    }
}
