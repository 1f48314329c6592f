package dev.synport.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.digest.RowHasher.Canon;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowHasherTest {

    private static long hash(List<Canon> fields, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return new RowHasher(fields).hash(bytes, 0, bytes.length);
    }

    private static long exact(String line) {
        return hash(List.of(Canon.EXACT, Canon.EXACT), line);
    }

    @Test
    void escapedAndRawControlCharactersAreTheSameValue() {
        // PostgreSQL's COPY output escapes \b, \f and \v, which the port sends raw
        assertThat(exact("a\\vb\\fc\\b\t1")).isEqualTo(exact("a\u000bb\fc\b\t1"));
        assertThat(exact("tab\\there\t\\\\")).isNotEqualTo(exact("tabthere\t\\\\"));
    }

    @Test
    void aLineInsideABufferHashesAsTheLineAlone() {
        // the copier hashes each row in place, inside the batch's buffer, between its neighbours
        String line = "0123456789abcdef\\vx\t\\N\tlast field";
        byte[] buffer = ("first\tline\n" + line + "\nnext\tline 0123456789\n").getBytes(StandardCharsets.UTF_8);
        int start = "first\tline\n".length();
        List<Canon> fields = List.of(Canon.EXACT, Canon.EXACT, Canon.EXACT);
        assertThat(new RowHasher(fields).hash(buffer, start, start + line.length())).isEqualTo(hash(fields, line));
    }

    @Test
    void nullDiffersFromTheTextBackslashN() {
        assertThat(exact("\\N\tx")).isNotEqualTo(exact("\\\\N\tx"));
        assertThat(exact("\\N\tx")).isNotEqualTo(exact("\tx"));
    }

    @Test
    void everyFieldAndItsPositionCount() {
        long row = exact("a\tb");
        assertThat(exact("b\ta")).isNotEqualTo(row);
        assertThat(exact("a\tc")).isNotEqualTo(row);
        assertThat(exact("ab\t")).isNotEqualTo(row);
        assertThat(exact("a\tb")).isEqualTo(row);
    }

    @Test
    void skippedFieldsAreLeftOut() {
        assertThat(hash(List.of(Canon.EXACT, Canon.SKIP, Canon.EXACT), "a\tignored\tb")).isEqualTo(exact("a\tb"));
    }

    @Test
    void longFieldsHashTheSameEscapedOrNot() {
        String raw = "0123456789abcdef\u000b0123456789";
        String escaped = "0123456789abcdef\\v0123456789";
        assertThat(exact(raw + "\tsecond field of some length")).isEqualTo(exact(escaped + "\tsecond field of some length"));
        assertThat(exact("0123456789abcdefX\tz")).isNotEqualTo(exact("0123456789abcdefY\tz"));
        assertThat(exact("01234567\t89")).isNotEqualTo(exact("0123456789\t"));
    }

    @Test
    void paddedTextIsComparedWithoutItsPadding() {
        assertThat(hash(List.of(Canon.PADDED), "X  ")).isEqualTo(hash(List.of(Canon.PADDED), "X"));
        assertThat(hash(List.of(Canon.EXACT), "X  ")).isNotEqualTo(hash(List.of(Canon.EXACT), "X"));
    }

    @Test
    void floatingPointIsComparedByValue() {
        assertThat(hash(List.of(Canon.DOUBLE), "1e+20")).isEqualTo(hash(List.of(Canon.DOUBLE), "1.0E20"));
        assertThat(hash(List.of(Canon.DOUBLE), "1")).isEqualTo(hash(List.of(Canon.DOUBLE), "1.0"));
        assertThat(hash(List.of(Canon.DOUBLE), "0.1")).isNotEqualTo(hash(List.of(Canon.DOUBLE), "0.1000000001"));
        // a real keeps single precision: what PostgreSQL gives back is the written value rounded
        assertThat(hash(List.of(Canon.REAL), "0.1")).isEqualTo(hash(List.of(Canon.REAL), "0.1000000001"));
        assertThat(hash(List.of(Canon.REAL), "0.1")).isNotEqualTo(hash(List.of(Canon.REAL), "0.2"));
    }

    @Test
    void numericIgnoresTrailingZeros() {
        assertThat(hash(List.of(Canon.NUMERIC), "1.50")).isEqualTo(hash(List.of(Canon.NUMERIC), "1.5"));
        assertThat(hash(List.of(Canon.NUMERIC), "15")).isNotEqualTo(hash(List.of(Canon.NUMERIC), "1.5"));
    }

    @Test
    void jsonIsComparedAsJsonbStoresIt() {
        List<Canon> json = List.of(Canon.JSON);
        assertThat(hash(json, "{\"b\":1,\"a\":[1,2]}")).isEqualTo(hash(json, "{\"a\": [1, 2], \"b\": 1}"));
        assertThat(hash(json, "{\"a\":1e2}")).isEqualTo(hash(json, "{\"a\": 100}"));
        assertThat(hash(json, "{\"a\":1,\"a\":2}")).isEqualTo(hash(json, "{\"a\": 2}"));
        // in COPY text the JSON escape's backslash is itself escaped
        assertThat(hash(json, "{\"a\":\"\\\\u00e9\"}")).isEqualTo(hash(json, "{\"a\": \"é\"}"));
        assertThat(hash(json, "{\"a\":1}")).isNotEqualTo(hash(json, "{\"a\":2}"));
    }
}
