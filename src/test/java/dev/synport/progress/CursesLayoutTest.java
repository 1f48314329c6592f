package dev.synport.progress;

import static dev.synport.progress.CursesViewTest.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.progress.CursesLayout.Line;
import dev.synport.progress.TableProgress.State;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CursesLayoutTest {
    private static List<String> texts(List<Line> lines) {
        return lines.stream().map(Line::text).toList();
    }

    @Test
    void everySizeGetsAtMostItsRowsAndColumnsWithTheHintOnTheLastRow() {
        ProgressSnapshot s = CursesViewTest.snapshot();
        for (int columns = 1; columns <= 120; columns++) {
            for (int rows = 1; rows <= 40; rows++) {
                List<Line> lines = CursesLayout.progress(s, columns, rows, false);
                String where = columns + "x" + rows;
                assertThat(lines).as(where).hasSize(rows);
                for (Line line : lines) {
                    assertThat(line.text().length()).as(where + ": " + line.text()).isLessThanOrEqualTo(columns);
                }
                assertThat(lines.get(0).text()).as(where).isEqualTo(rows <= 2
                        ? CursesLayout.overallLine(s, columns) : CursesLayout.cut("Copying 12 tables", columns));
                if (rows >= 2) {
                    assertThat(lines.get(rows - 1).text()).as(where).isEqualTo(CursesLayout.cut(CursesLayout.HINT, columns));
                }
            }
        }
    }

    @Test
    void tablesTakeTheRowsLeftAndTheHiddenOnesAreCountedByState() {
        List<TableProgress> tables = List.of(
                table("events", State.COPYING, 5, 10),
                table("users", State.BUILDING_INDEXES, 10, 10),
                table("rooms", State.WAITING, 0, 10),
                table("devices", State.DONE, 10, 10),
                table("profiles", State.FAILED, 3, 10));

        assertThat(texts(CursesLayout.tableLines(tables, 60, 5))).hasSize(5).noneMatch(t -> t.contains("more"));
        assertThat(texts(CursesLayout.tableLines(tables, 60, 3))).satisfiesExactly(
                t -> assertThat(t).startsWith("events ").endsWith("copying"),
                t -> assertThat(t).startsWith("users ").endsWith("indexing"),
                t -> assertThat(t).isEqualTo("+3 more (1 waiting, 1 done, 1 FAILED)"));
        assertThat(texts(CursesLayout.tableLines(tables, 60, 1))).containsExactly(
                "+5 more (1 copying, 1 indexing, 1 waiting, 1 done, 1 FAILED)");
        assertThat(CursesLayout.tableLines(tables, 60, 0)).isEmpty();
        assertThat(CursesLayout.tableLines(tables, 60, 3)).extracting(Line::style)
                .containsExactly(CursesLayout.Style.ACTIVE, CursesLayout.Style.ACTIVE, CursesLayout.Style.PLAIN);
    }

    @Test
    void aBlankLineSeparatesTheTablesOnlyWhenAllOfThemFit() {
        ProgressSnapshot s = CursesViewTest.snapshot(); // 4 lines above the tables, 12 tables, the hint
        assertThat(texts(CursesLayout.progress(s, 100, 17, false)).get(4)).isEqualTo("events" + " ".repeat(14)
                + "[##############----------------]  45% 123,456/270,000 copying");
        assertThat(texts(CursesLayout.progress(s, 100, 18, false)).get(4)).isEmpty();
        assertThat(texts(CursesLayout.progress(s, 100, 16, false)).get(14)).isEqualTo("+2 more (2 done)");
    }

    @Test
    void columnsGiveWayInOrderCountsThenBarThenNames() {
        List<TableProgress> one = List.of(table("event_push_actions_staging", State.COPYING, 1_234_567, 2_000_000));

        assertThat(texts(CursesLayout.tableLines(one, 100, 1))).containsExactly(
                "event_push_actions_staging [###################-----------]  61% 1,234,567/2,000,000 copying");
        assertThat(texts(CursesLayout.tableLines(one, 60, 1))).containsExactly(
                "event_push_action~ [#########------]  61% 1.2M/2.0M copying");
        assertThat(texts(CursesLayout.tableLines(one, 40, 1))).containsExactly(
                "event_push_~  61% 1.2M/2.0M copying");
        assertThat(texts(CursesLayout.tableLines(one, 30, 1))).containsExactly(
                "event_p~  61% 1.2M/2.0M copyi~");
    }

    @Test
    void theOverallLineShortensItsCountsThenDropsItsBar() {
        ProgressSnapshot s = CursesViewTest.snapshot();
        assertThat(CursesLayout.overallLine(s, 40)).isEqualTo("[###-----] 42%  1,234,567/2,900,000 rows");
        assertThat(CursesLayout.overallLine(s, 30)).isEqualTo("[######--------] 42% 1.2M/2.9M");
        assertThat(CursesLayout.overallLine(s, 18)).isEqualTo("42% 1.2M/2.9M");
        assertThat(CursesLayout.overallLine(s, 12)).isEqualTo("42%");
        assertThat(CursesLayout.overallLine(s, 2)).isEqualTo("4~");
    }

    @Test
    void untrustedNamesCannotDriveTheTerminalOrBreakTheColumns() {
        assertThat(CursesLayout.safe("ev\u001b[2Jil\ttab\u0007")).isEqualTo("ev?[2Jil tab?");
        assertThat(CursesLayout.safe("房间_rooms\uD83D\uDE00")).isEqualTo("??_rooms?");
        assertThat(CursesLayout.safe("zürich…")).isEqualTo("zürich…");
        List<TableProgress> evil = List.of(table("a\u001b]0;owned\u0007b", State.WAITING, 0, 1));
        assertThat(texts(CursesLayout.tableLines(evil, 60, 1)).get(0)).startsWith("a?]0;owned?b ").doesNotContain("\u001b");
    }

    @Test
    void pathsAreCutAtTheStartNamesAtTheEnd() {
        assertThat(CursesLayout.cutStart("log: ", "/var/lib/synapse/port-synapse.log", 25)).isEqualTo("log: ~se/port-synapse.log");
        assertThat(CursesLayout.cutStart("log: ", "/tmp/a.log", 25)).isEqualTo("log: /tmp/a.log");
        assertThat(CursesLayout.cutStart("log: ", "/tmp/a.log", 6)).isEqualTo("log: ~");
        assertThat(CursesLayout.cut("state_groups_state", 10)).isEqualTo("state_gro~");
        assertThat(CursesLayout.cut("users", 5)).isEqualTo("users");
        assertThat(CursesLayout.cut("users", 0)).isEmpty();
    }

    @Test
    void numbersAndPercentages() {
        assertThat(List.of(0L, 950L, 1_000L, 12_345L, 99_960L, 999_400L, 999_600L, 4_500_000L, 1_200_000_000L))
                .map(CursesLayout::compact)
                .containsExactly("0", "950", "1.0k", "12.3k", "100k", "999k", "1.0M", "4.5M", "1.2G");
        assertThat(List.of(0L, 7L, 999L, 1_000L, 12_345L, 1_234_567L, -1_234L, Long.MAX_VALUE))
                .map(CursesLayout::count)
                .containsExactly("0", "7", "999", "1,000", "12,345", "1,234,567", "-1,234", "9,223,372,036,854,775,807");
        assertThat(List.of(0.0, 0.04, 0.05, 6.789, 123.45)).map(CursesLayout::oneDecimal)
                .containsExactly("0.0", "0.0", "0.1", "6.8", "123.5");
        assertThat(CursesLayout.percent(0.999)).isEqualTo("99%");
        assertThat(CursesLayout.percent(1.0)).isEqualTo("100%");
        assertThat(CursesLayout.percent(1.7)).isEqualTo("100%");
        assertThat(CursesLayout.bar(0.5, 6)).isEqualTo("###---");
        assertThat(CursesLayout.bar(-1, 3)).isEqualTo("---");
    }

    @Test
    void segmentsFlowOntoAsFewLinesAsTheyNeed() {
        List<String> segments = List.of("elapsed 1m02s", "ETA 1m30s", "19,900 rows/s");
        assertThat(CursesLayout.flow(segments, 80)).containsExactly("elapsed 1m02s  ETA 1m30s  19,900 rows/s");
        assertThat(CursesLayout.flow(segments, 24)).containsExactly("elapsed 1m02s  ETA 1m30s", "19,900 rows/s");
        assertThat(CursesLayout.flow(segments, 10)).containsExactly("elapsed 1~", "ETA 1m30s", "19,900 ro~");
    }

    @Test
    void theSummaryWrapsScrollsAndEndsWithTheKeyHint() {
        List<String> summary = List.of("Port finished: 2,900,000 rows in 12 tables.", "Next: start Synapse.");
        assertThat(texts(CursesLayout.summary(summary, 20, 6, 0))).containsExactly(
                "Port finished:", "2,900,000 rows in 12", "tables.", "Next: start Synapse.", "", "Press any key to ex~");
        assertThat(CursesLayout.lastScroll(summary, 20, 6)).isZero();
        assertThat(CursesLayout.lastScroll(summary, 20, 3)).isEqualTo(2);
        assertThat(texts(CursesLayout.summary(summary, 20, 3, 99))).containsExactly(
                "tables.", "Next: start Synapse.", "Up/Down: scroll, an~");
        assertThat(texts(CursesLayout.summary(List.of("x".repeat(25)), 10, 5, 0)).subList(0, 3))
                .containsExactly("x".repeat(10), "x".repeat(10), "x".repeat(5));
    }

    @Test
    void theStopRequestReplacesTheHint() {
        ProgressSnapshot s = new ProgressSnapshot("Building indexes", Duration.ZERO, 0, Optional.empty(), 0, 0, 0, 0, 0,
                0, 0, List.of(), Optional.empty());
        assertThat(texts(CursesLayout.progress(s, 60, 4, true))).containsExactly("Building indexes",
                "[" + "-".repeat(45) + "] 0%  0/0 rows", "elapsed 0.0s  ETA -  0 rows/s  0.0 MB/s  repaired 0",
                CursesLayout.STOPPING);
        assertThat(CursesLayout.progress(s, 60, 4, true).get(3).style()).isEqualTo(CursesLayout.Style.ALERT);
    }
}
