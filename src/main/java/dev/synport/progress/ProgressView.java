package dev.synport.progress;

import java.util.List;

/**
 * Shows a run's progress to the user: the plain lines, the live terminal line, or the
 * full-screen view. A view reads {@link ProgressSnapshot}s on a thread of its own, never
 * on the copy threads, and is told once at the end what to show as the summary.
 */
public interface ProgressView extends AutoCloseable {
    /** Starts showing progress (a view's own render thread, if it has one, starts here). */
    void start();

    /**
     * The run ended: shows the summary lines (and, where the view owns the screen, waits for
     * a key before giving the terminal back).
     */
    void finish(List<String> summary);

    /** Stops rendering and gives the terminal back; safe to call more than once. */
    @Override
    void close();
}
