package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.postgres.ColumnKind;
import dev.synport.report.Finding;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The value policy, on real SQLite values (an in-memory database), without PostgreSQL. */
class RowEncoderTest {
    private Connection sqlite;

    @BeforeEach
    void open() throws Exception {
        sqlite = DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @AfterEach
    void close() throws Exception {
        sqlite.close();
    }

    @Test
    void writesCopyTextWithEscapesNullsBooleansAndHexBytea() throws Exception {
        String line = encodeOk(List.of(column("t", ColumnKind.TEXT), column("b", ColumnKind.BOOLEAN),
                column("n", ColumnKind.BIGINT), column("x", ColumnKind.BYTEA), column("z", ColumnKind.TEXT)),
                "SELECT 1, CAST('a\tb\\c' || char(10) || 'd' AS BLOB), 1, 42, x'00ff', NULL");
        assertThat(line).isEqualTo("a\\tb\\\\c\\nd\tt\t42\t\\\\x00ff\t\\N\n");
    }

    @Test
    void replacesNulWithReplacementCharacterAndReportsTheOriginal() throws Exception {
        List<Finding> findings = new ArrayList<>();
        String line = encode(List.of(column("name", ColumnKind.TEXT)), "SELECT 7, CAST('ab' || char(0) || 'c' AS BLOB)",
                findings);
        assertThat(line).isEqualTo("ab\uFFFDc\n");
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.action()).isEqualTo(Finding.Action.REPAIRED);
            assertThat(f.rowid()).isEqualTo(7);
            assertThat(f.column()).isEqualTo("name");
            assertThat(f.reason()).contains("U+0000");
            assertThat(f.original()).isEqualTo("ab\0c");
        });
    }

    @Test
    void replacesInvalidUtf8AndKeepsTheOriginalBytes() throws Exception {
        List<Finding> findings = new ArrayList<>();
        String line = encode(List.of(column("v", ColumnKind.TEXT)), "SELECT 1, x'61ff62c0af'", findings);
        assertThat(line).isEqualTo("a\uFFFDb\uFFFD\uFFFD\n");
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.reason()).contains("not valid UTF-8");
            assertThat((byte[]) f.original()).containsExactly(0x61, 0xff, 0x62, 0xc0, 0xaf);
        });
    }

    @Test
    void rejectsRowWithIntegerBeyondColumnRangeOrTextInIntegerColumn() throws Exception {
        List<Finding> findings = new ArrayList<>();
        assertThat(encode(List.of(column("a", ColumnKind.INTEGER)), "SELECT 3, 4294967296", findings)).isNull();
        assertThat(encode(List.of(column("a", ColumnKind.BIGINT)), "SELECT 4, '{\"json\": 1}'", findings)).isNull();
        assertThat(findings).extracting(Finding::action).containsOnly(Finding.Action.REJECTED);
        assertThat(findings.get(0).reason()).contains("beyond the range of integer");
        assertThat(findings.get(0).original()).isEqualTo(4294967296L);
        assertThat(findings.get(1).reason()).contains("text value in an integer column");
    }

    @Test
    void convertsLosslessRepresentationsSilently() throws Exception {
        List<Finding> findings = new ArrayList<>();
        String line = encode(List.of(column("a", ColumnKind.BIGINT), column("b", ColumnKind.SMALLINT),
                column("c", ColumnKind.BOOLEAN), column("d", ColumnKind.TEXT)), "SELECT 1, ' 12 ', 3.0, 'false', 99",
                findings);
        assertThat(line).isEqualTo("12\t3\tf\t99\n");
        assertThat(findings).isEmpty();
    }

    @Test
    void repairsJsonNulEscapeForJsonbButNotAnEscapedBackslash() throws Exception {
        List<Finding> findings = new ArrayList<>();
        String line = encode(List.of(column("j", ColumnKind.JSONB)),
                "SELECT 1, CAST('{\"a\":\"x\\u0000y\",\"b\":\"\\\\u0000\"}' AS BLOB)", findings);
        assertThat(line).isEqualTo("{\"a\":\"x\\\\ufffdy\",\"b\":\"\\\\\\\\u0000\"}\n");
        assertThat(findings).singleElement().extracting(Finding::action).isEqualTo(Finding.Action.REPAIRED);
    }

    @Test
    void fillsMissingFullUserIdFromTheLocalpart() throws Exception {
        List<Finding> findings = new ArrayList<>();
        ColumnPlan localpart = column("user_id", ColumnKind.TEXT);
        ColumnPlan full = new ColumnPlan("full_user_id", "", "full_user_id", ColumnKind.TEXT,
                Optional.of(new ColumnPlan.UserIdFill(0, "user_id", "example.org")));
        String line = encode(List.of(localpart, full), "SELECT 1, CAST('alice' AS BLOB), NULL", findings);
        assertThat(line).isEqualTo("alice\t@alice:example.org\n");
        assertThat(findings).singleElement().extracting(Finding::action).isEqualTo(Finding.Action.REPAIRED);
    }

    private static ColumnPlan column(String name, ColumnKind kind) {
        return new ColumnPlan(name, "", name, kind);
    }

    private String encodeOk(List<ColumnPlan> columns, String sql) throws Exception {
        List<Finding> findings = new ArrayList<>();
        String line = encode(columns, sql, findings);
        assertThat(findings).isEmpty();
        return line;
    }

    /** Encodes the single row {@code sql} returns (rowid first); null when rejected. */
    private String encode(List<ColumnPlan> columns, String sql, List<Finding> findings) throws Exception {
        RowEncoder encoder = new RowEncoder("t", columns);
        CopyBuffer buffer = new CopyBuffer();
        try (PreparedStatement ps = sqlite.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            boolean ok = encoder.encode(rs, rs.getLong(1), buffer, findings);
            assertThat(buffer.length() > 0).isEqualTo(ok);
            return ok ? new String(buffer.array(), 0, buffer.length(), StandardCharsets.UTF_8) : null;
        }
    }
}
