package dev.synport.progress;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.Terminal;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full-screen view ({@code --curses}): the overall bar, rates and counts, and one line
 * per table, redrawn a few times a second to fit whatever size the terminal has.
 *
 * <p>One daemon thread of its own reads the keys, takes a snapshot from the supplier and
 * draws it; the copy threads never wait on it. {@code q} or Ctrl-C calls the stop action
 * once. {@link #finish} shows the summary and waits for a key; {@link #close} gives the
 * terminal back. The view owns the terminal it is given and closes it. It draws only the
 * snapshots and the summary: logs must go elsewhere (a file) while it runs.
 *
 * <p>It writes to the terminal itself, only the cells that changed since the last frame, and
 * flushes once a frame. Lanterna's {@code Screen} is not used: its delta refresh compares
 * every cell of two buffers, and on a two-core machine the JIT compiling that one large method
 * (over a second of CPU, twice) cost the port more than all the drawing did.
 */
public final class CursesView implements ProgressView {
    private static final Logger LOG = LoggerFactory.getLogger(CursesView.class);
    /** How often the progress is redrawn. */
    static final Duration FRAME = Duration.ofMillis(250);
    /** How often keys are read between frames. */
    private static final long POLL_MILLIS = 100;
    private static final long JOIN_MILLIS = 2_000;

    private final Supplier<ProgressSnapshot> snapshots;
    private final Runnable stop;
    private final Terminal terminal;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch dismissed = new CountDownLatch(1);
    private final AtomicReference<TerminalSize> resizedTo = new AtomicReference<>();
    private volatile List<String> summary;
    private volatile boolean running;
    private boolean privateMode;
    private Thread renderer;
    /** Only the render thread touches these (after start): the size, the summary's scroll and what the rows hold. */
    private TerminalSize size;
    private int scroll;
    private List<CursesLayout.Line> drawn = List.of();

    /**
     * @param snapshots called on the view's own thread, a few times a second
     * @param stop called once when the user asks to stop (the port then stops after its current batch)
     * @param terminal the terminal to take over; the view closes it
     */
    public CursesView(Supplier<ProgressSnapshot> snapshots, Runnable stop, Terminal terminal) {
        this.snapshots = snapshots;
        this.stop = stop;
        this.terminal = terminal;
    }

    /**
     * The terminal of this process (its controlling TTY), with Ctrl-C read as a key rather
     * than a signal, so that it stops the port cleanly. Its output is buffered until each
     * flush: unbuffered, every character would be a write of its own.
     *
     * @throws UncheckedIOException when there is no usable terminal
     */
    public static Terminal processTerminal() {
        try {
            return new SttySizedTerminal();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
        }
    }

    /**
     * Lanterna's Unix terminal, sized by {@code stty size} (at the start and on each
     * SIGWINCH) rather than by asking the terminal where the cursor lands: a terminal that
     * does not answer that question (a pseudo-terminal nobody draws) costs Lanterna five
     * seconds a time before it falls back to 80x24.
     */
    private static final class SttySizedTerminal extends UnixTerminal {
        SttySizedTerminal() throws IOException {
            super(System.in, new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                    Charset.defaultCharset(), UnixLikeTerminal.CtrlCBehaviour.TRAP);
        }

        @Override
        protected TerminalSize findTerminalSize() throws IOException {
            String[] rowsColumns = runSTTYCommand("size").trim().split("\\s+");
            if (rowsColumns.length == 2 && rowsColumns[0].matches("[1-9][0-9]*") && rowsColumns[1].matches("[1-9][0-9]*")) {
                return new TerminalSize(Integer.parseInt(rowsColumns[1]), Integer.parseInt(rowsColumns[0]));
            }
            return super.findTerminalSize();
        }
    }

    @Override
    public synchronized void start() {
        if (renderer != null || closed.get()) {
            throw new IllegalStateException(closed.get() ? "the view is closed" : "the view is already started");
        }
        try {
            terminal.enterPrivateMode();
            privateMode = true;
            terminal.setCursorVisible(false);
            terminal.clearScreen();
            terminal.addResizeListener((resized, newSize) -> resizedTo.set(newSize));
            size = terminal.getTerminalSize();
            terminal.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take over the terminal: " + e.getMessage(), e);
        }
        running = true;
        renderer = new Thread(this::renderLoop, "synport-curses");
        renderer.setDaemon(true);
        renderer.start();
    }

    /** Shows the summary in place of the progress and returns after a key (or at once if the view no longer runs). */
    @Override
    public void finish(List<String> lines) {
        summary = List.copyOf(lines);
        if (!running) {
            return;
        }
        try {
            dismissed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        dismissed.countDown();
        Thread thread;
        boolean restore;
        synchronized (this) {
            thread = renderer;
            restore = privateMode;
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (restore) {
                terminal.exitPrivateMode();
            }
            terminal.resetColorAndSGR();
            terminal.setCursorVisible(true);
            terminal.flush();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not restore the terminal: {}", e.toString());
        } finally {
            try {
                terminal.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not close the terminal: {}", e.toString());
            }
        }
    }

    private void renderLoop() {
        long nextFrame = 0;
        try {
            while (running) {
                boolean changed = readKeys();
                TerminalSize resized = resizedTo.getAndSet(null);
                if (resized != null) {
                    size = resized;
                }
                long now = System.nanoTime();
                if (changed || resized != null || now - nextFrame >= 0) {
                    draw(resized != null);
                    nextFrame = now + FRAME.toNanos();
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The port goes on without its view; whoever waits for a key is let go.
            LOG.warn("the full-screen view stopped: {}", e.toString(), e);
        } finally {
            running = false;
            dismissed.countDown();
        }
    }

    /** Handles the waiting keys; true when the screen must be redrawn at once. */
    private boolean readKeys() throws IOException {
        boolean changed = false;
        for (KeyStroke key = terminal.pollInput(); key != null && running; key = terminal.pollInput()) {
            if (summary != null) {
                changed |= onSummaryKey(key);
            } else if (isStopKey(key) && stopRequested.compareAndSet(false, true)) {
                stop.run();
                changed = true;
            }
            if (key.getKeyType() == KeyType.EOF) {
                break;
            }
        }
        return changed;
    }

    /** Up/Down and PageUp/PageDown scroll a summary taller than the screen; any other key dismisses it. */
    private boolean onSummaryKey(KeyStroke key) {
        int last = CursesLayout.lastScroll(summary, size.getColumns(), size.getRows());
        int page = Math.max(1, size.getRows() - 1);
        int by = switch (key.getKeyType()) {
            case ArrowUp -> -1;
            case ArrowDown -> 1;
            case PageUp -> -page;
            case PageDown -> page;
            default -> 0;
        };
        if (by == 0 || last == 0) {
            dismissed.countDown();
            return false;
        }
        scroll = Math.max(0, Math.min(last, scroll + by));
        return true;
    }

    private static boolean isStopKey(KeyStroke key) {
        if (key.getKeyType() != KeyType.Character) {
            return false;
        }
        char c = Character.toLowerCase(key.getCharacter());
        return c == 'q' && !key.isCtrlDown() || c == 'c' && key.isCtrlDown();
    }

    private static String padded(String text, int columns) {
        return text.length() >= columns ? text : text + " ".repeat(columns - text.length());
    }

    private void style(CursesLayout.Style style) throws IOException {
        terminal.resetColorAndSGR();
        switch (style) {
            case TITLE -> terminal.enableSGR(SGR.BOLD);
            case ACTIVE -> terminal.setForegroundColor(TextColor.ANSI.CYAN);
            case DONE -> terminal.setForegroundColor(TextColor.ANSI.GREEN);
            case ALERT -> {
                terminal.setForegroundColor(TextColor.ANSI.RED);
                terminal.enableSGR(SGR.BOLD);
            }
            case PLAIN -> { }
        }
    }

    private void draw(boolean resized) throws IOException {
        List<String> done = summary;
        List<CursesLayout.Line> lines = done != null
                ? CursesLayout.summary(done, size.getColumns(), size.getRows(), scroll)
                : CursesLayout.progress(snapshots.get(), size.getColumns(), size.getRows(), stopRequested.get());
        if (resized) {
            terminal.resetColorAndSGR();
            terminal.clearScreen();
        }
        // Only the cells that changed, each row padded with blanks.
        int columns = size.getColumns();
        CursesLayout.Line empty = new CursesLayout.Line("", CursesLayout.Style.PLAIN);
        List<CursesLayout.Line> before = resized ? List.of() : drawn;
        List<CursesLayout.Line> now = new ArrayList<>(size.getRows());
        for (int row = 0; row < size.getRows(); row++) {
            CursesLayout.Line line = row < lines.size() ? lines.get(row) : empty;
            now.add(line);
            CursesLayout.Line old = row < before.size() ? before.get(row) : null;
            String text = padded(line.text(), columns);
            int from = 0;
            int to = columns;
            if (old != null && old.style() == line.style()) {
                String was = padded(old.text(), columns);
                while (from < to && was.charAt(from) == text.charAt(from)) {
                    from++;
                }
                while (to > from && was.charAt(to - 1) == text.charAt(to - 1)) {
                    to--;
                }
            }
            if (from < to) {
                terminal.setCursorPosition(from, row);
                style(line.style());
                terminal.putString(text.substring(from, to));
            }
        }
        drawn = now;
        terminal.flush();
    }
}
