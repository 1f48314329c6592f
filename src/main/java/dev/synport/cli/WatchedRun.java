package dev.synport.cli;

import dev.synport.FailureReason;
import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.progress.CursesView;
import dev.synport.progress.LiveLineView;
import dev.synport.progress.PlainView;
import dev.synport.progress.ProgressTracker;
import dev.synport.progress.ProgressView;
import dev.synport.run.PortSummary;
import dev.synport.summary.RunOutcome;
import dev.synport.summary.SummaryJson;
import dev.synport.summary.SummaryText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A port as the user watches it: the progress view (the full-screen view or a live line on a
 * terminal, plain lines otherwise) while it runs, then the summary (and the JSON summary)
 * however it ended. The summary also goes into the log.
 */
final class WatchedRun {
    private static final Logger LOG = LoggerFactory.getLogger(WatchedRun.class);

    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> environment;
    private final PortCommand.Session session;
    private final boolean fullScreen;
    private final Clock clock;
    private final Duration interval;
    private final Optional<Path> logFile;

    /**
     * @param fullScreen the curses view (the session must be on a terminal)
     * @param logFile the run's log, which the summary names (and the curses view shows)
     */
    WatchedRun(PrintWriter out, PrintWriter err, Map<String, String> environment, PortCommand.Session session,
            boolean fullScreen, Clock clock, Duration interval, Optional<Path> logFile) {
        this.out = out;
        this.err = err;
        this.environment = environment;
        this.session = session;
        this.fullScreen = fullScreen;
        this.clock = clock;
        this.interval = interval;
        this.logFile = logFile;
    }

    /**
     * Runs {@code port}, fed the tracker the views read (a fan-out can feed a logging listener
     * with it); returns the exit code of a finished or
     * stopped run, rethrows the failure of a failed one once the summary is shown.
     */
    int run(String command, Path reportPath, Optional<SummaryJson> json, Function<ProgressTracker, PortSummary> port) {
        ProgressTracker tracker = new ProgressTracker(clock, logFile);
        session.stop().whenRequested(() -> tracker.phase("Stopping after the current batch (what is committed"
                + " stays)"));
        List<String> summaryLines;
        RuntimeException failure = null;
        RunOutcome outcome;
        try (ProgressView view = view(tracker)) {
            view.start();
            Optional<PortSummary> summary = Optional.empty();
            try {
                summary = Optional.of(port.apply(tracker));
                tracker.finished();
            } catch (RuntimeException e) {
                failure = e;
            }
            outcome = outcome(command, summary, failure, reportPath);
            json.ifPresent(j -> write(j, outcome, tracker));
            summaryLines = new ArrayList<>(SummaryText.lines(outcome, tracker.snapshot(), tracker.plan(),
                    tracker.sequences().size()));
            // the verdict right under the headline
            summary.ifPresent(s -> summaryLines.addAll(Math.min(1, summaryLines.size()), s.verification()));
            summaryLines.forEach(line -> LOG.info("summary: {}", line));
            if (!fullScreen || outcome.status() != RunOutcome.Status.INTERRUPTED) {
                // a stopped full-screen run does not wait for a key: after a signal nobody may be there to press one
                view.finish(summaryLines);
            }
        }
        if (fullScreen) {
            // the full screen is gone with the view: the summary stays in the terminal's scrollback
            summaryLines.forEach(out::println);
            out.flush();
        }
        if (failure != null && outcome.status() == RunOutcome.Status.FAILED) {
            throw failure;
        }
        return outcome.exitCode();
    }

    private ProgressView view(ProgressTracker tracker) {
        if (fullScreen) {
            return new CursesView(tracker::snapshot, session.stop(), CursesView.processTerminal());
        }
        return session.terminal() ? new LiveLineView(tracker, out, err, this::columns)
                : new PlainView(tracker, out, err, clock, interval);
    }

    private static RunOutcome outcome(String command, Optional<PortSummary> summary, RuntimeException failure,
            Path reportPath) {
        if (summary.isPresent()) {
            return new RunOutcome(RunOutcome.Status.OK, ExitCodes.OK, Optional.empty(), summary.get().report(),
                    summary.get().tablesSkipped(), command);
        }
        Optional<Path> report = Files.exists(reportPath) ? Optional.of(reportPath) : Optional.empty();
        if (failure instanceof PortException pe && pe.reason() == FailureReason.INTERRUPTED) {
            return new RunOutcome(RunOutcome.Status.INTERRUPTED, ExitCodes.INTERRUPTED, Optional.empty(), report,
                    Map.of(), command);
        }
        return new RunOutcome(RunOutcome.Status.FAILED, PortCommand.exitCode(failure),
                Optional.of(PortCommand.errorLine(failure)), report, Map.of(), command);
    }

    private void write(SummaryJson json, RunOutcome outcome, ProgressTracker tracker) {
        try {
            json.write(outcome, tracker.snapshot(), tracker.plan(), tracker.sequences());
        } catch (IOException e) {
            err.println("warning: could not write the JSON summary: " + Messages.oneLine(e.getMessage()));
            err.flush();
        }
    }

    /** The terminal's width: {@code COLUMNS} when the shell exports it, else 80. */
    private int columns() {
        try {
            return Integer.parseInt(environment.getOrDefault("COLUMNS", "80").trim());
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
