package dev.synport.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void readsAReportLine() {
        Object finding = JsonText.parse("{\"table\":\"events\",\"rowid\":-12,\"key\":null,\"column\":null,"
                + "\"action\":\"rejected\",\"reason\":\"a \\\"quoted\\\" reason\",\"original\":{\"hex\":\"00ff\"}}");
        assertThat(finding).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) finding;
        assertThat(map.get("table")).isEqualTo("events");
        assertThat(map.get("rowid")).isEqualTo(new BigDecimal("-12"));
        assertThat(map.get("key")).isSameAs(JsonText.NULL);
        assertThat(map.get("reason")).isEqualTo("a \"quoted\" reason");
        assertThat(map.get("original")).isEqualTo(Map.of("hex", "00ff"));
    }

    @Test
    void canonicalFormSortsKeysAndSpellsNumbersOneWay() {
        assertThat(JsonText.canonical(" {\"b\": [true, null, 1.50], \"a\": {\"y\": \"\\n\", \"x\": 1E2}} "))
                .isEqualTo("{\"a\":{\"x\":100,\"y\":\"\\u000a\"},\"b\":[true,null,1.5]}");
        assertThat(JsonText.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void textThatIsNotJsonStaysAsItIs() {
        assertThat(JsonText.canonical("{\"a\":")).isEqualTo("{\"a\":");
        assertThat(JsonText.canonical("[1] trailing")).isEqualTo("[1] trailing");
        assertThatThrownBy(() -> JsonText.parse("nul")).isInstanceOf(IllegalArgumentException.class);
    }
}
