package dev.synport.progress;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Progress for a log or a pipe: timestamped plain lines, no control characters at all. Phase
 * changes and large tables starting and finishing as they happen; every {@code interval} a line
 * per running table and an overall line. Warnings go to {@code err}, as {@code warning: } lines.
 */
public final class PlainView implements ProgressView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Duration TICK = Duration.ofMillis(250);

    private final ProgressTracker tracker;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Clock clock;
    private final Duration interval;
    private final RenderTimer timer;
    private int notesShown;
    private Instant lastFigures;

    public PlainView(ProgressTracker tracker, PrintWriter out, PrintWriter err, Clock clock, Duration interval) {
        this.tracker = tracker;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.interval = interval;
        this.timer = new RenderTimer("progress-lines", TICK, this::tick);
        this.lastFigures = clock.instant();
    }

    @Override
    public void start() {
        timer.start();
    }

    /** One render step: the new notes, then the figures if {@code interval} has passed. */
    synchronized void tick() {
        List<ProgressNote> notes = tracker.notesFrom(notesShown);
        notesShown += notes.size();
        for (ProgressNote note : notes) {
            if (note.kind() == ProgressNote.Kind.WARNING) {
                // a diagnostic, like the error line: not timestamped, so that it reads the same in every view
                err.println("warning: " + ProgressText.printable(note.text()));
                err.flush();
            } else {
                print(note.at(), note.kind() == ProgressNote.Kind.PHASE ? note.text() + "..." : note.text());
            }
        }
        Instant now = clock.instant();
        if (Duration.between(lastFigures, now).compareTo(interval) >= 0) {
            lastFigures = now;
            ProgressSnapshot s = tracker.snapshot();
            if (!s.tables().isEmpty()) {
                s.tables().stream().filter(t -> t.state() == TableProgress.State.COPYING
                        || t.state() == TableProgress.State.BUILDING_INDEXES)
                        .forEach(t -> print(now, "  " + ProgressText.table(t)));
                print(now, "overall: " + ProgressText.overall(s) + "; " + s.phase());
            }
        }
    }

    @Override
    public synchronized void finish(List<String> summary) {
        timer.stop();
        tick();
        summary.forEach(line -> out.println(ProgressText.printable(line)));
        out.flush();
    }

    @Override
    public void close() {
        timer.stop();
    }

    private void print(Instant at, String text) {
        out.println(TIME.format(at.atZone(clock.getZone())) + " " + ProgressText.printable(text));
        out.flush();
    }
}
