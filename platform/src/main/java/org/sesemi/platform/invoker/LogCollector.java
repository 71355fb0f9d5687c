package org.sesemi.platform.invoker;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.sesemi.time.SystemTime;

/**
 * Buffers one container's stdout and stderr and cuts them into activations at the activation-end sentinel, as
 * OpenWhisk's log store does with {@code docker logs}. Process output is untrusted: lines are capped in length and the
 * buffer in bytes; what does not fit is dropped and the next collected activation says so. Thread-safe.
 *
 * <p>Threading (docs/architecture.md, "Threads"): each stream is read by its own <em>platform</em> daemon thread. A read
 * of a process pipe is a blocking native call that may last as long as the process lives; on a virtual thread it holds
 * a carrier of the virtual-thread scheduler the whole time, and the scheduler's temporary compensation for it ends when
 * its spare carriers expire after 30 s idle. With two readers per container and two carriers on a 2-CPU machine, that
 * left no carrier for anything else: the platform stopped answering after ~30 s of idle (issue 16). Two platform threads
 * per live container are bounded by the pool's memory, which bounds the containers. The buffer is guarded by a
 * {@link ReentrantLock}, not a monitor, so {@link #collect} waits (always with a deadline) without holding a carrier.
 */
final class LogCollector {
    static final String SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
    static final int MAX_LINE_BYTES = 64 * 1024;

    private record Line(Instant time, String stream, String text, boolean sentinel) {}

    private final Deque<Line> out = new ArrayDeque<>();
    private final Deque<Line> err = new ArrayDeque<>();
    private final long maxBufferedBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long bufferedBytes;
    private boolean outEof, errEof, dropped, discard;

    LogCollector(long maxBufferedBytes) {
        this.maxBufferedBytes = maxBufferedBytes;
    }

    /** Starts a reader (a platform daemon thread, see the class comment) for one stream of the process. */
    void follow(InputStream stream, String name) {
        follow(stream, name, "container");
    }

    /** As {@link #follow(InputStream, String)}; {@code owner} names the thread (e.g. the container's pid). */
    void follow(InputStream stream, String name, String owner) {
        Thread.ofPlatform().daemon().name(owner + "-" + name).start(() -> readLines(stream, name));
    }

    /** Stop keeping output (used for containers with concurrency > 1, whose output cannot be attributed). */
    void discardFromNowOn() {
        lock.lock();
        try {
            discard = true;
            out.clear();
            err.clear();
            bufferedBytes = 0;
        } finally {
            lock.unlock();
        }
    }

    private void readLines(InputStream in, String name) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean overlong = false;
        try (in) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        append(name, line.toString(StandardCharsets.UTF_8), overlong);
                        line.reset();
                        overlong = false;
                    } else if (line.size() < MAX_LINE_BYTES) {
                        line.write(b);
                    } else {
                        overlong = true;
                    }
                }
            }
            if (line.size() > 0) {
                append(name, line.toString(StandardCharsets.UTF_8), overlong);
            }
        } catch (IOException e) {
            // The process went away; whatever was read is kept.
        } finally {
            lock.lock();
            try {
                if (name.equals("stdout")) {
                    outEof = true;
                } else {
                    errEof = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void append(String stream, String text, boolean overlong) {
        lock.lock();
        try {
            appendLocked(stream, text, overlong);
        } finally {
            lock.unlock();
        }
    }

    private void appendLocked(String stream, String text, boolean overlong) {
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        Deque<Line> queue = stream.equals("stdout") ? out : err;
        if (text.equals(SENTINEL)) {
            if (!discard) {
                queue.add(new Line(SystemTime.clock().instant(), stream, "", true));
                changed.signalAll();
            }
            return;
        }
        if (discard) {
            return;
        }
        String kept = overlong ? text + " [line truncated]" : text;
        long size = kept.length();
        if (bufferedBytes + size > maxBufferedBytes) {
            dropped = true;
            return;
        }
        bufferedBytes += size;
        queue.add(new Line(SystemTime.clock().instant(), stream, kept, false));
    }

    /**
     * The lines of the activation that just ended: everything up to the next sentinel on each stream (waiting up to
     * {@code waitMillis} for both, or for the streams to end), formatted {@code "<ISO-8601 UTC> <stream>: <line>"}, and cut
     * at {@code limitBytes} with a note.
     */
    List<String> collect(long waitMillis, long limitBytes) throws InterruptedException {
        lock.lock();
        try {
            return collectLocked(waitMillis, limitBytes);
        } finally {
            lock.unlock();
        }
    }

    private List<String> collectLocked(long waitMillis, long limitBytes) throws InterruptedException {
        long deadline = SystemTime.ticker().read() + waitMillis * 1_000_000;
        while (!(complete(out, outEof) && complete(err, errEof))) {
            long left = deadline - SystemTime.ticker().read();
            if (left <= 0) {
                break;
            }
            changed.await(left, TimeUnit.NANOSECONDS);
        }
        boolean sawBoth = complete(out, outEof) && complete(err, errEof);
        List<Line> lines = new ArrayList<>();
        take(out, lines);
        take(err, lines);
        lines.sort(Comparator.comparing(Line::time));
        List<String> result = new ArrayList<>();
        if (limitBytes <= 0) {
            dropped = false;
            return result;
        }
        long used = 0;
        boolean truncated = dropped;
        dropped = false;
        for (Line line : lines) {
            long size = line.text().getBytes(StandardCharsets.UTF_8).length;
            if (used + size > limitBytes) {
                truncated = true;
                break;
            }
            used += size;
            result.add(line.time() + " " + line.stream() + ": " + line.text());
        }
        Instant now = SystemTime.clock().instant();
        if (truncated) {
            result.add(now + " stderr: Logs were truncated because the total bytes size exceeds the limit of " + limitBytes
                    + " bytes.");
        }
        if (!sawBoth && waitMillis > 0) {
            result.add(now + " stderr: Logs may be incomplete: the activation did not mark the end of its output within "
                    + waitMillis + " ms.");
        }
        return result;
    }

    private static boolean complete(Deque<Line> queue, boolean eof) {
        return eof || queue.stream().anyMatch(Line::sentinel);
    }

    private void take(Deque<Line> queue, List<Line> into) {
        while (!queue.isEmpty()) {
            Line line = queue.poll();
            if (line.sentinel()) {
                return;
            }
            bufferedBytes -= line.text().length();
            into.add(line);
        }
    }
}
