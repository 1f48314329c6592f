package dev.synport.progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the full-screen view shows, as lines of text that fit a screen of any size: the
 * arithmetic of the layout, kept apart from Lanterna so it can be tested on its own.
 *
 * <p>Every line is at most {@code columns} characters and there are at most {@code rows}
 * lines, the key hint on the last row. When rows are short, lines are given up in a fixed
 * order of importance: the overall bar comes first, then the key hint, the phase, the rates
 * and counts, the log's path, and the tables take whatever is left (the hidden ones summed
 * up in a "+N more" line).
 * Text from the snapshot is made safe to print: control characters and characters that
 * take two columns become {@code ?}.
 */
final class CursesLayout {
    /** How a line is drawn. */
    enum Style {
        PLAIN,
        TITLE,
        ACTIVE,
        DONE,
        ALERT
    }

    /** One line of the screen, already cut to its width. */
    record Line(String text, Style style) {}

    /** What stands in for the cut end of a name or the cut start of a path. */
    static final char CUT = '~';
    static final String HINT = "q: stop after the current batch";
    static final String STOPPING = "Stopping after the current batch...";
    static final String ANY_KEY = "Press any key to exit";
    static final String SCROLL_OR_ANY_KEY = "Up/Down: scroll, any other key: exit";

    private static final int WIDEST_BAR = 60;
    private static final int NARROWEST_BAR = 3;
    private static final int USEFUL_BAR = 10;
    private static final int NARROWEST_NAME = 8;
    private static final String GAP = "  ";
    /** The order of the states in a "+N more" line: as the tables are listed, running first. */
    private static final List<TableProgress.State> STATE_ORDER = List.of(TableProgress.State.COPYING,
            TableProgress.State.BUILDING_INDEXES, TableProgress.State.WAITING, TableProgress.State.DONE,
            TableProgress.State.FAILED);

    private CursesLayout() {}

    /** The progress screen for one snapshot. */
    static List<Line> progress(ProgressSnapshot s, int columns, int rows, boolean stopping) {
        if (columns <= 0 || rows <= 0) {
            return List.of();
        }
        // Every block as the lines it takes at this width.
        Line overall = new Line(overallLine(s, columns), Style.TITLE);
        Line footer = stopping ? new Line(cut(STOPPING, columns), Style.ALERT) : new Line(cut(HINT, columns), Style.PLAIN);
        Line phase = new Line(cut(safe(s.phase()), columns), Style.TITLE);
        List<Line> stats = flow(statSegments(s), columns).stream().map(t -> new Line(t, Style.PLAIN)).toList();
        List<Line> log = s.logFile().map(p -> List.of(new Line(cutStart("log: ", safe(p.toString()), columns), Style.PLAIN)))
                .orElse(List.of());

        // Rows handed out in the order of importance; the tables get what is left.
        int left = rows - 1; // the overall line always shows
        boolean showFooter = left >= 1;
        left -= showFooter ? 1 : 0;
        boolean showPhase = left >= 1;
        left -= showPhase ? 1 : 0;
        int statLines = Math.min(stats.size(), left);
        left -= statLines;
        int logLines = Math.min(log.size(), left);
        left -= logLines;

        List<Line> screen = new ArrayList<>(rows);
        if (showPhase) {
            screen.add(phase);
        }
        screen.add(overall);
        screen.addAll(stats.subList(0, statLines));
        screen.addAll(log.subList(0, logLines));
        List<Line> tables = tableLines(s.tables(), columns, left);
        if (!tables.isEmpty() && tables.size() < left) {
            screen.add(new Line("", Style.PLAIN));
        }
        screen.addAll(tables);
        if (showFooter) {
            padTo(screen, rows - 1);
            screen.add(footer);
        }
        return screen;
    }

    /**
     * The summary screen: the lines wrapped to the width, starting {@code scroll} lines down
     * (clamped), with the key hint on the last row.
     */
    static List<Line> summary(List<String> summary, int columns, int rows, int scroll) {
        if (columns <= 0 || rows <= 0) {
            return List.of();
        }
        List<String> wrapped = wrap(summary, columns);
        int room = rows - 1;
        boolean scrolls = wrapped.size() > room;
        int from = Math.max(0, Math.min(scroll, wrapped.size() - room));
        List<Line> screen = new ArrayList<>(rows);
        for (String text : wrapped.subList(from, Math.min(wrapped.size(), from + room))) {
            screen.add(new Line(text, Style.PLAIN));
        }
        padTo(screen, rows - 1);
        screen.add(new Line(cut(scrolls ? SCROLL_OR_ANY_KEY : ANY_KEY, columns), Style.TITLE));
        return screen;
    }

    /** How far the summary can scroll down at this size. */
    static int lastScroll(List<String> summary, int columns, int rows) {
        return columns <= 0 || rows <= 1 ? 0 : Math.max(0, wrap(summary, columns).size() - (rows - 1));
    }

    /** {@code [####----] 42%  1,234/2,900 rows}, the counts shortened and the bar dropped as room runs out. */
    static String overallLine(ProgressSnapshot s, int columns) {
        String percent = percent(s.fraction());
        String full = " " + percent + GAP + count(s.rowsDone()) + "/" + count(s.rowsTotal()) + " rows";
        String tail = full.length() + NARROWEST_BAR + 2 <= columns ? full
                : " " + percent + " " + compact(s.rowsDone()) + "/" + compact(s.rowsTotal());
        int bar = Math.min(WIDEST_BAR, columns - tail.length() - 2);
        if (bar >= NARROWEST_BAR) {
            return "[" + bar(s.fraction(), bar) + "]" + tail;
        }
        return tail.length() - 1 <= columns ? tail.strip() : cut(percent, columns);
    }

    /**
     * Up to {@code rows} lines for the tables, in the snapshot's order (running first); when
     * they do not all fit, the last line says how many are hidden and where they are.
     */
    static List<Line> tableLines(List<TableProgress> tables, int columns, int rows) {
        if (rows <= 0 || tables.isEmpty()) {
            return List.of();
        }
        List<TableProgress> shown = tables.size() <= rows ? tables : tables.subList(0, rows - 1);
        TableColumns layout = TableColumns.fit(shown, columns);
        List<Line> lines = new ArrayList<>(rows);
        for (TableProgress t : shown) {
            lines.add(new Line(layout.line(t), style(t.state())));
        }
        if (shown.size() < tables.size()) {
            lines.add(new Line(cut(more(tables.subList(shown.size(), tables.size())), columns), Style.PLAIN));
        }
        return lines;
    }

    /** {@code +12 more (2 copying, 10 done)}. */
    static String more(List<TableProgress> hidden) {
        Map<TableProgress.State, Long> byState = hidden.stream()
                .collect(Collectors.groupingBy(TableProgress::state, Collectors.counting()));
        return "+" + hidden.size() + " more (" + STATE_ORDER.stream()
                .filter(byState::containsKey)
                .map(state -> byState.get(state) + " " + label(state))
                .collect(Collectors.joining(", ")) + ")";
    }

    /**
     * The columns of the table lines for one screen: name, bar, percentage, done/total and
     * state, with the counts shortened, the bar dropped and the names cut as room runs out.
     */
    record TableColumns(int columns, int nameWidth, int barWidth, boolean compactCounts, int countWidth) {
        private static final int PERCENT_WIDTH = 4;
        private static final int STATE_WIDTH = 8;

        static TableColumns fit(List<TableProgress> tables, int columns) {
            int longestName = tables.stream().mapToInt(t -> safe(t.name()).length()).max().orElse(0);
            int nameWidth = Math.min(longestName, Math.max(NARROWEST_NAME, columns * 3 / 10));
            int fullCounts = tables.stream().mapToInt(t -> counts(t, false).length()).max().orElse(0);
            int shortCounts = tables.stream().mapToInt(t -> counts(t, true).length()).max().orElse(0);
            // name, percentage, counts and state with a space between each
            int fixedFull = nameWidth + 1 + PERCENT_WIDTH + 1 + fullCounts + 1 + STATE_WIDTH;
            // full counts only where they leave room for a bar worth reading
            boolean compact = fixedFull + USEFUL_BAR + 3 > columns;
            int fixed = compact ? fixedFull - fullCounts + shortCounts : fixedFull;
            int bar = Math.min(WIDEST_BAR / 2, columns - fixed - 3);
            if (bar < NARROWEST_BAR) {
                bar = 0;
                // without a bar, the names give way (down to a few characters) before the state
                nameWidth = Math.max(Math.min(nameWidth, NARROWEST_NAME), nameWidth - Math.max(0, fixed - columns));
            }
            return new TableColumns(columns, nameWidth, bar, compact, compact ? shortCounts : fullCounts);
        }

        String line(TableProgress t) {
            StringBuilder b = new StringBuilder(columns);
            b.append(pad(cut(safe(t.name()), nameWidth), nameWidth)).append(' ');
            if (barWidth > 0) {
                b.append('[').append(bar(t.fraction(), barWidth)).append("] ");
            }
            b.append(padLeft(percent(t.fraction()), PERCENT_WIDTH)).append(' ')
                    .append(padLeft(counts(t, compactCounts), countWidth)).append(' ')
                    .append(label(t.state()));
            return cut(b.toString(), columns);
        }

        private static String counts(TableProgress t, boolean compact) {
            return compact ? compact(t.done()) + "/" + compact(t.total()) : count(t.done()) + "/" + count(t.total());
        }
    }

    /** Rates and counts as segments for {@link #flow}. */
    private static List<String> statSegments(ProgressSnapshot s) {
        return List.of(
                "elapsed " + ProgressText.duration(s.elapsed()),
                "ETA " + s.eta().map(ProgressText::duration).orElse("-"),
                count(Math.round(s.rowsPerSecond())) + " rows/s",
                oneDecimal(s.bytesPerSecond() / 1_000_000) + " MB/s",
                "repaired " + count(s.repaired()),
                "rejected " + count(s.rejected()));
    }

    /** Segments packed into as few lines of the width as they take, two spaces apart. */
    static List<String> flow(List<String> segments, int columns) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String segment : segments) {
            if (line.length() > 0 && line.length() + GAP.length() + segment.length() > columns) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(GAP);
            }
            line.append(cut(segment, columns));
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Each line cut into pieces of the width, at a space where there is one. */
    static List<String> wrap(List<String> lines, int columns) {
        List<String> out = new ArrayList<>();
        for (String raw : lines) {
            String rest = safe(raw).stripTrailing();
            while (rest.length() > columns) {
                int at = rest.lastIndexOf(' ', columns);
                int end = at > 0 ? at : columns;
                out.add(rest.substring(0, end).stripTrailing());
                rest = rest.substring(end).stripLeading();
            }
            out.add(rest);
        }
        return out;
    }

    /** The text, or its start and {@link #CUT} when it is longer than the width. */
    static String cut(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        return width <= 0 ? "" : text.substring(0, width - 1) + CUT;
    }

    /** The prefix and the end of the text, cut at the start (a path's file name matters most). */
    static String cutStart(String prefix, String text, int width) {
        int room = width - prefix.length();
        if (text.length() <= room) {
            return prefix + text;
        }
        return room >= NARROWEST_BAR ? prefix + CUT + text.substring(text.length() - room + 1) : cut(prefix + text, width);
    }

    /**
     * The text with what a terminal cell cannot hold as one character replaced by {@code ?}:
     * control characters (a table name is the snapshot's, not ours) and East Asian wide
     * characters or those outside the Basic Multilingual Plane, which take two columns.
     */
    static String safe(String text) {
        if (text.chars().allMatch(c -> c >= ' ' && c < 0x7F)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> b.append(c == '\t' ? ' ' : Character.isISOControl(c) || twoColumns(c) ? '?' : (char) c));
        return b.toString();
    }

    private static boolean twoColumns(int c) {
        return c > 0xFFFF
                || Character.isSurrogate((char) c)
                || c >= 0x1100 && c <= 0x115F
                || c >= 0x2E80 && c <= 0xA4CF
                || c >= 0xAC00 && c <= 0xD7A3
                || c >= 0xF900 && c <= 0xFAFF
                || c >= 0xFE30 && c <= 0xFE4F
                || c >= 0xFF00 && c <= 0xFF60
                || c >= 0xFFE0 && c <= 0xFFE6;
    }

    static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "#".repeat(filled) + "-".repeat(width - filled);
    }

    /** Whole percent, rounded down so that 100% means done. */
    static String percent(double fraction) {
        return (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100) + "%";
    }

    /**
     * {@code 1,234,567}. By hand rather than with {@code String.format}, which parses its
     * pattern on every call: this runs for every table a few times a second.
     */
    static String count(long n) {
        String digits = Long.toString(n);
        int sign = n < 0 ? 1 : 0;
        int head = sign + (digits.length() - sign - 1) % 3 + 1;
        StringBuilder b = new StringBuilder(digits.length() * 4 / 3 + 1).append(digits, 0, head);
        for (int i = head; i < digits.length(); i += 3) {
            b.append(',').append(digits, i, i + 3);
        }
        return b.toString();
    }

    /** {@code 6.8}: one decimal of a non-negative number. */
    static String oneDecimal(double v) {
        long tenths = Math.round(Math.max(0, v) * 10);
        return tenths / 10 + "." + tenths % 10;
    }

    /** {@code 950}, {@code 12.3k}, {@code 4.5M}, {@code 1.2G}. */
    static String compact(long n) {
        if (n < 1_000) {
            return Long.toString(n);
        }
        String[] units = {"k", "M", "G", "T"};
        double v = n;
        int unit = -1;
        while (v >= 999.5 && unit < units.length - 1) {
            v /= 1000;
            unit++;
        }
        return (v >= 99.95 ? Long.toString(Math.round(v)) : oneDecimal(v)) + units[unit];
    }

    static String label(TableProgress.State state) {
        return switch (state) {
            case WAITING -> "waiting";
            case COPYING -> "copying";
            case BUILDING_INDEXES -> "indexing";
            case DONE -> "done";
            case FAILED -> "FAILED";
        };
    }

    private static Style style(TableProgress.State state) {
        return switch (state) {
            case COPYING, BUILDING_INDEXES -> Style.ACTIVE;
            case DONE -> Style.DONE;
            case FAILED -> Style.ALERT;
            case WAITING -> Style.PLAIN;
        };
    }

    /** Blank lines up to {@code size}, so that what follows sits on the last row. */
    private static void padTo(List<Line> screen, int size) {
        while (screen.size() < size) {
            screen.add(new Line("", Style.PLAIN));
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
