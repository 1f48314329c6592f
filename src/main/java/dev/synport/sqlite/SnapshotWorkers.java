package dev.synport.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs tasks that read the snapshot on a few threads, each with one SQLite connection of its
 * own for all the tasks it takes (opening one reads the whole schema). Tasks are taken in the
 * order given, so the largest should come first. The first failure stops the others taking
 * more, and is thrown once every thread has stopped.
 */
public final class SnapshotWorkers {
    /** One task, given its thread's connection. */
    @FunctionalInterface
    public interface Task<T> {
        void run(Connection sqlite, T item) throws SQLException;
    }

    private final Snapshot snapshot;
    private final int threads;

    public SnapshotWorkers(Snapshot snapshot, int threads) {
        this.snapshot = snapshot;
        this.threads = threads;
    }

    public <T> void forEach(List<T> items, Task<T> task) throws SQLException {
        Queue<T> queue = new ConcurrentLinkedQueue<>(items);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(executor.submit(() -> {
                    try (Connection sqlite = snapshot.open()) {
                        for (T next = queue.poll(); next != null; next = queue.poll()) {
                            task.run(sqlite, next);
                        }
                    } catch (SQLException | RuntimeException e) {
                        queue.clear();
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<Void> worker : workers) {
                await(worker);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    /** The result of {@code future}, its failure rethrown as it was (an SQL or a runtime exception). */
    public static <T> T await(Future<T> future) throws SQLException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
