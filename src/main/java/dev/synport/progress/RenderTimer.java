package dev.synport.progress;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs a view's render step periodically on a daemon thread of its own, never on the copy threads. */
final class RenderTimer {
    private final String name;
    private final Duration period;
    private final Runnable render;
    private ScheduledExecutorService executor;

    RenderTimer(String name, Duration period, Runnable render) {
        this.name = name;
        this.period = period;
        this.render = render;
    }

    synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(render, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the timer and waits (briefly) for a render in progress; safe to call more than once. */
    synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }
}
