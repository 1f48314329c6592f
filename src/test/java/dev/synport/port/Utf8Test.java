package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8Test {
    @ParameterizedTest
    @CsvSource({
        "61, true", "c3a9, true", "e282ac, true", "f09f9880, true", "00, false", "6100, false",
        "c0af, false", "e080af, false", "eda080, false", "f4908080, false", "ff, false", "c3, false",
        "e282, false", "80, false", "f09f98, false"})
    void acceptsExactlyWhatPostgresAccepts(String hex, boolean clean) {
        assertThat(Utf8.isCleanText(HexFormat.of().parseHex(hex))).isEqualTo(clean);
    }

    @ParameterizedTest
    @CsvSource({"héllo wörld ✓ 😀"})
    void acceptsMixedText(String text) {
        assertThat(Utf8.isCleanText(text.getBytes(StandardCharsets.UTF_8))).isTrue();
    }
}
