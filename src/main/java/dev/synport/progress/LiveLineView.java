package dev.synport.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Progress on a terminal: one line redrawn in place (carriage return, then "erase to the end of
 * the line") with the overall bar, percentage, rows/s, MB/s, elapsed time, ETA and the current
 * phase, cut to the terminal's width so that it never wraps. Phase changes are printed above it,
 * warnings too (on {@code err}).
 */
public final class LiveLineView implements ProgressView {
    private static final String ERASE = "\r\033[K";
    private static final Duration TICK = Duration.ofMillis(200);
    private static final int BAR = 20;

    private final ProgressTracker tracker;
    private final PrintWriter out;
    private final PrintWriter err;
    private final IntSupplier width;
    private final RenderTimer timer;
    private int notesShown;

    /** @param width the terminal's width in columns, asked at every redraw (it can change) */
    public LiveLineView(ProgressTracker tracker, PrintWriter out, PrintWriter err, IntSupplier width) {
        this.tracker = tracker;
        this.out = out;
        this.err = err;
        this.width = width;
        this.timer = new RenderTimer("progress-line", TICK, this::tick);
    }

    @Override
    public void start() {
        timer.start();
    }

    /** One redraw: the new phase changes and warnings above the line, then the line. */
    synchronized void tick() {
        for (ProgressNote note : tracker.notesFrom(notesShown)) {
            notesShown++;
            if (note.kind() == ProgressNote.Kind.WARNING) {
                out.print(ERASE);
                out.flush();
                err.println("warning: " + ProgressText.printable(note.text()));
                err.flush();
            } else if (note.kind() == ProgressNote.Kind.PHASE) {
                out.print(ERASE + ProgressText.printable(note.text()) + "...\n");
            } else if (note.kind() == ProgressNote.Kind.INFO) {
                out.print(ERASE + ProgressText.printable(note.text()) + "\n");
            }
        }
        out.print(ERASE + line(tracker.snapshot(), width.getAsInt()));
        out.flush();
    }

    static String line(ProgressSnapshot s, int columns) {
        String line = ProgressText.bar(s.fraction(), BAR) + " " + ProgressText.overall(s) + " | "
                + ProgressText.printable(s.phase());
        int room = Math.max(1, columns - 1);
        return line.length() <= room ? line : line.substring(0, room);
    }

    @Override
    public synchronized void finish(List<String> summary) {
        timer.stop();
        tick();
        out.print("\n");
        summary.forEach(l -> out.print(ProgressText.printable(l) + "\n"));
        out.flush();
    }

    @Override
    public void close() {
        timer.stop();
    }
}
