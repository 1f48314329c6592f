package dev.synport.progress;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CursesViewTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    private final AtomicInteger stops = new AtomicInteger();
    private CursesView view;

    @AfterEach
    void closeView() {
        if (view != null) {
            view.close();
        }
    }

    /** 12 tables: 2 copying, 4 waiting, 6 done; 1,234,567 of 2,900,000 rows. */
    static ProgressSnapshot snapshot() {
        List<TableProgress> tables = new ArrayList<>();
        tables.add(table("events", TableProgress.State.COPYING, 123_456, 270_000));
        tables.add(table("event_json", TableProgress.State.COPYING, 90_000, 270_000));
        for (String name : List.of("state_groups_state", "event_edges", "receipts_linearized", "users")) {
            tables.add(table(name, TableProgress.State.WAITING, 0, 10_000));
        }
        for (String name : List.of("rooms", "room_memberships", "devices", "access_tokens", "profiles", "presence")) {
            tables.add(table(name, TableProgress.State.DONE, 500, 500));
        }
        return new ProgressSnapshot("Copying 12 tables", Duration.ofSeconds(62), 0.4257, Optional.of(Duration.ofSeconds(90)),
                1_234_567, 2_900_000, 420_000_000, 19_900, 6_800_000, 3, 1, tables,
                Optional.of(Path.of("/var/lib/synapse/port-synapse.log")));
    }

    static TableProgress table(String name, TableProgress.State state, long done, long total) {
        return new TableProgress(name, state, done, total, 0, 0, Duration.ZERO);
    }

    private CursesView start(Supplier<ProgressSnapshot> supplier) {
        view = new CursesView(supplier, stops::incrementAndGet, terminal);
        view.start();
        return view;
    }

    /** The rows the virtual screen shows now, trailing blanks removed. */
    private List<String> screen() {
        TerminalSize size = terminal.getTerminalSize();
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < size.getRows(); r++) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < size.getColumns(); c++) {
                b.append(terminal.getCharacter(c, r).getCharacterString());
            }
            rows.add(b.toString().stripTrailing());
        }
        return rows;
    }

    /**
     * Waits until the screen satisfies the condition and stays the same for a while (not read
     * in the middle of a redraw), and returns it; fails with the last screen.
     */
    private List<String> awaitScreen(Predicate<List<String>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> rows = screen();
        List<String> before = List.of();
        while (!condition.test(rows) || !rows.equals(before)) {
            assertThat(System.nanoTime() < deadline).as("screen never matched:%n%s", String.join("\n", rows)).isTrue();
            Thread.sleep(50);
            before = rows;
            rows = screen();
        }
        return rows;
    }

    private static Predicate<List<String>> showing(String text) {
        return rows -> rows.stream().anyMatch(r -> r.contains(text));
    }

    private static String rowWith(List<String> rows, String start) {
        return rows.stream().filter(r -> r.startsWith(start + " ")).findFirst().orElseThrow(
                () -> new AssertionError("no row for " + start + " in:\n" + String.join("\n", rows)));
    }

    @Test
    void showsEveryTableWithPercentAndCountsAndTheOverallLineAt100x30() throws Exception {
        start(CursesViewTest::snapshot);
        List<String> rows = awaitScreen(showing("events "));

        assertThat(rows.get(0)).isEqualTo("Copying 12 tables");
        assertThat(rows.get(1)).isEqualTo("[" + "#".repeat(26) + "-".repeat(34) + "] 42%  1,234,567/2,900,000 rows");
        assertThat(rows.get(2)).isEqualTo(
                "elapsed 1m02s  ETA 1m30s  19,900 rows/s  6.8 MB/s  repaired 3  rejected 1");
        assertThat(rows.get(3)).isEqualTo("log: /var/lib/synapse/port-synapse.log");
        assertThat(rowWith(rows, "events")).contains("45%", "123,456/270,000").endsWith("copying");
        assertThat(rowWith(rows, "event_json")).contains("33%", "90,000/270,000").endsWith("copying");
        assertThat(rowWith(rows, "users")).contains(" 0%", "0/10,000").endsWith("waiting");
        assertThat(rowWith(rows, "presence")).contains("100%", "500/500").endsWith("done");
        // running tables first, finished ones last, in the snapshot's order; nothing hidden
        assertThat(rows.indexOf(rowWith(rows, "events"))).isLessThan(rows.indexOf(rowWith(rows, "users")));
        assertThat(rows.indexOf(rowWith(rows, "users"))).isLessThan(rows.indexOf(rowWith(rows, "rooms")));
        assertThat(rows).noneMatch(r -> r.contains("more ("));
        assertThat(rows.get(29)).isEqualTo(CursesLayout.HINT);
    }

    @Test
    void showsFewerTablesWithinTheWidthAt40x10() throws Exception {
        terminal.setTerminalSize(new TerminalSize(40, 10));
        start(CursesViewTest::snapshot);
        List<String> rows = awaitScreen(showing("+"));

        assertThat(rows).containsExactly(
                "Copying 12 tables",
                "[###-----] 42%  1,234,567/2,900,000 rows",
                "elapsed 1m02s  ETA 1m30s  19,900 rows/s",
                "6.8 MB/s  repaired 3  rejected 1",
                "log: /var/lib/synapse/port-synapse.log",
                "events        45%  123k/270k copying",
                "event_json    33% 90.0k/270k copying",
                "state_group~   0%    0/10.0k waiting",
                "+9 more (3 waiting, 6 done)",
                CursesLayout.HINT);
    }

    @Test
    void laysOutAgainWhenTheTerminalShrinksAndGrows() throws Exception {
        start(CursesViewTest::snapshot);
        awaitScreen(showing("presence "));

        terminal.setTerminalSize(new TerminalSize(40, 10));
        List<String> small = awaitScreen(showing("+9 more"));
        assertThat(small).hasSize(10).allMatch(r -> r.length() <= 40).noneMatch(r -> r.startsWith("presence"));

        terminal.setTerminalSize(new TerminalSize(100, 30));
        List<String> large = awaitScreen(showing("presence "));
        assertThat(large).noneMatch(r -> r.contains("more ("));
        assertThat(rowWith(large, "events")).contains("123,456/270,000");
    }

    @Test
    void survivesTinyTerminals() throws Exception {
        terminal.setTerminalSize(new TerminalSize(10, 3));
        start(CursesViewTest::snapshot);
        assertThat(awaitScreen(showing("42%"))).containsExactly("Copying 1~", "42%", "q: stop a~");

        terminal.setTerminalSize(new TerminalSize(3, 1));
        awaitScreen(rows -> rows.equals(List.of("42%")));
        terminal.setTerminalSize(new TerminalSize(1, 1));
        awaitScreen(rows -> rows.equals(List.of("~")));

        terminal.setTerminalSize(new TerminalSize(40, 10));
        awaitScreen(showing("+9 more"));
    }

    @Test
    void qAndCtrlCCallTheStopActionOnceAndSayThePortStops() throws Exception {
        start(CursesViewTest::snapshot);
        awaitScreen(showing(CursesLayout.HINT));

        terminal.addInput(new KeyStroke('q', false, false));
        terminal.addInput(new KeyStroke('c', true, false));
        terminal.addInput(new KeyStroke('Q', false, false));
        List<String> rows = awaitScreen(showing(CursesLayout.STOPPING));

        assertThat(rows.get(29)).isEqualTo(CursesLayout.STOPPING);
        Thread.sleep(3 * CursesView.FRAME.toMillis()); // any late second call would land here
        assertThat(stops).hasValue(1);
    }

    @Test
    void ctrlCAloneStops() throws Exception {
        start(CursesViewTest::snapshot);
        awaitScreen(showing(CursesLayout.HINT));
        terminal.addInput(new KeyStroke('x', false, false));
        terminal.addInput(new KeyStroke(KeyType.Enter));
        terminal.addInput(new KeyStroke('c', true, false));
        awaitScreen(showing(CursesLayout.STOPPING));
        assertThat(stops).hasValue(1);
    }

    @Test
    void finishShowsTheSummaryAndReturnsAfterAKey() throws Exception {
        start(CursesViewTest::snapshot);
        awaitScreen(showing("events "));

        List<String> summary = List.of("Port finished in 1m40s: 2,900,000 rows in 12 tables.",
                "1 value rejected, see report.jsonl", "Next: start Synapse.");
        CompletableFuture<Void> finished = CompletableFuture.runAsync(() -> view.finish(summary));
        List<String> rows = awaitScreen(showing("Next: start Synapse."));

        assertThat(rows.subList(0, 3)).isEqualTo(summary);
        assertThat(rows.get(29)).isEqualTo(CursesLayout.ANY_KEY);
        assertThat(rows).noneMatch(r -> r.startsWith("events "));
        assertThat(finished).isNotDone();

        terminal.addInput(new KeyStroke(' ', false, false));
        finished.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(stops).hasValue(0);
    }

    @Test
    void aLongSummaryScrollsWithTheArrowsBeforeAKeyDismissesIt() throws Exception {
        terminal.setTerminalSize(new TerminalSize(40, 5));
        start(CursesViewTest::snapshot);
        List<String> summary = List.of("line 1", "line 2", "line 3", "line 4", "line 5", "line 6");
        CompletableFuture<Void> finished = CompletableFuture.runAsync(() -> view.finish(summary));
        assertThat(awaitScreen(showing("line 1"))).containsExactly(
                "line 1", "line 2", "line 3", "line 4", CursesLayout.SCROLL_OR_ANY_KEY);

        terminal.addInput(new KeyStroke(KeyType.ArrowDown));
        terminal.addInput(new KeyStroke(KeyType.ArrowDown));
        terminal.addInput(new KeyStroke(KeyType.ArrowDown));
        assertThat(awaitScreen(showing("line 6"))).containsExactly(
                "line 3", "line 4", "line 5", "line 6", CursesLayout.SCROLL_OR_ANY_KEY);
        assertThat(finished).isNotDone();

        terminal.addInput(new KeyStroke(KeyType.Enter));
        finished.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void rendersOnADaemonThreadOfItsOwn() throws Exception {
        var callers = ConcurrentHashMap.<Thread>newKeySet();
        start(() -> {
            callers.add(Thread.currentThread());
            return snapshot();
        });
        awaitScreen(showing("events "));
        Thread.sleep(3 * CursesView.FRAME.toMillis());

        assertThat(callers).hasSize(1);
        Thread renderer = callers.iterator().next();
        assertThat(renderer).isNotSameAs(Thread.currentThread());
        assertThat(renderer.getName()).isEqualTo("synport-curses");
        assertThat(renderer.isDaemon()).isTrue();
    }

    @Test
    void closeGivesTheTerminalBackOnceAndTheSummaryNoLongerWaits() throws Exception {
        start(CursesViewTest::snapshot);
        awaitScreen(showing("events "));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (terminal.isCursorVisible()) { // hidden at the end of the first redraw
            assertThat(System.nanoTime() < deadline).as("cursor never hidden").isTrue();
            Thread.sleep(20);
        }

        view.close();
        view.close();

        assertThat(terminal.isCursorVisible()).isTrue();
        assertThat(screen()).noneMatch(r -> r.contains("events") || r.contains("Copying"));
        CompletableFuture.runAsync(() -> view.finish(List.of("done"))).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aFailingSnapshotEndsTheViewWithoutHangingFinishOrClose() throws Exception {
        AtomicReference<Thread> caller = new AtomicReference<>();
        start(() -> {
            caller.set(Thread.currentThread());
            throw new IllegalStateException("tracker broke");
        });
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (caller.get() == null || caller.get().isAlive()) {
            assertThat(System.nanoTime() < deadline).as("render thread still alive").isTrue();
            Thread.sleep(20);
        }
        CompletableFuture.runAsync(() -> view.finish(List.of("done"))).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        view.close();
        assertThat(terminal.isCursorVisible()).isTrue();
    }
}
