package dev.synport.port;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The user asked the port to stop (Ctrl-C, SIGTERM, {@code q} in the full-screen view). The copy
 * checks it between batches: the batch in flight rolls back, every committed batch keeps its
 * checkpoint, and the run ends with {@link FailureReason#INTERRUPTED}. Running it requests the
 * stop; only the first request counts, and tells those waiting for it.
 */
public final class StopRequest implements Runnable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final List<Runnable> whenRequested = new CopyOnWriteArrayList<>();

    @Override
    public void run() {
        if (requested.compareAndSet(false, true)) {
            whenRequested.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} (on the requesting thread) when the stop is first requested. */
    public void whenRequested(Runnable action) {
        whenRequested.add(action);
    }

    public boolean isRequested() {
        return requested.get();
    }

    /** How a run that stopped on request ends. */
    public static PortException interrupted() {
        return new PortException(FailureReason.INTERRUPTED, "stopped at the user's request");
    }
}
