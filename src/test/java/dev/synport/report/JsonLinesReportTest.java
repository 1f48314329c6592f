package dev.synport.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesReportTest {
    @Test
    void writesOneEscapedJsonObjectPerFindingWithItsKeyOnlyWhenThereIsOneInAPrivateFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.jsonl");
        try (JsonLinesReport report = new JsonLinesReport(file)) {
            report.record(List.of());
            assertThat(report.written()).isEmpty();
            assertThat(file).doesNotExist();
            report.record(List.of(
                    new Finding("devices", -3, "device_id", Finding.Action.REPAIRED, "NUL", "a\0\"b\\\n")
                            .withKey(keyOf("user_id", "@a:x", "device_id", "a\0\"b\\\n")),
                    new Finding("t", 1, null, Finding.Action.REJECTED, "why", new byte[] {1, (byte) 0xff}),
                    new Finding("t", 2, "n", Finding.Action.REJECTED, "range", 4294967296L)
                            .withKey(keyOf("id", 7L, "tag", null))));
            assertThat(report.written()).contains(file);
        }
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readAllLines(file)).containsExactly(
                "{\"table\":\"devices\",\"rowid\":-3,\"key\":{\"user_id\":\"@a:x\",\"device_id\":\"a\\u0000\\\"b\\\\\\n\"},\"column\":\"device_id\",\"action\":\"repaired\",\"reason\":\"NUL\","
                        + "\"original\":\"a\\u0000\\\"b\\\\\\n\"}",
                "{\"table\":\"t\",\"rowid\":1,\"key\":null,\"column\":null,\"action\":\"rejected\",\"reason\":\"why\","
                        + "\"original\":{\"hex\":\"01ff\"}}",
                "{\"table\":\"t\",\"rowid\":2,\"key\":{\"id\":7,\"tag\":null},\"column\":\"n\",\"action\":\"rejected\",\"reason\":\"range\","
                        + "\"original\":4294967296}");
    }

    /** Key columns and values in key order; values may be null. */
    private static Map<String, Object> keyOf(Object... columnsAndValues) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            key.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return key;
    }
}
