package org.sesemi.platform.invoker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of the {@link ContainerPool}. Defaults work on a laptop and follow OpenWhisk's (2048 MB user memory as in
 * the ansible default, 10 minutes keep-alive, 1 MB result limit).
 *
 * @param userMemoryMb capacity: the sum of {@code limits.memoryMb} of the action containers alive at once
 * @param idleTimeout an idle warm container is destroyed after this long unused (OpenWhisk {@code idle-container})
 * @param startTimeout how long a started process may take to accept connections on its port
 * @param logWait how long to wait for both activation-end sentinels after a run before taking what is there
 * @param maxResultBytes a {@code /run} answer longer than this is truncated and becomes an application error
 * @param maxBufferedLogBytes per container, how much unread output is kept; the rest is dropped (and noted)
 * @param apiHost passed to every container as {@code __OW_API_HOST} when present
 * @param prewarm stem cells started with the pool and replaced after use; they are not charged to
 *     {@code userMemoryMb} until an action takes one (as in OpenWhisk, prewarms are sized by the operator)
 * @param stockOpenWhisk behave as a stock OpenWhisk invoker where SeSeMI's default differs: {@code /init} and
 *     {@code /run} each get the action's whole timeout (instead of one budget for both), and a {@code 503} from a
 *     container is a container health error — the container is destroyed and the activation rescheduled once on
 *     another container (instead of "busy": container kept, activation retried until its time limit)
 * @param pauseGrace an idle warm container whose launcher can pause it (podman, docker) is paused after this long
 *     unused and resumed when an activation takes it (OpenWhisk {@code pause-grace}, 10 s); local processes are not
 */
public record InvokerConfig(int userMemoryMb, Duration idleTimeout, Duration startTimeout, Duration logWait, int maxResultBytes,
        int maxBufferedLogBytes, Optional<String> apiHost, List<Prewarm> prewarm, boolean stockOpenWhisk, Duration pauseGrace) {

    /** {@code count} stem cells of {@code image}, each for actions of exactly {@code memoryMb}. */
    public record Prewarm(String image, int memoryMb, int count) {
        public Prewarm {
            Objects.requireNonNull(image, "image");
            if (memoryMb <= 0 || count < 0) {
                throw new IllegalArgumentException("prewarm needs memory > 0 and count >= 0: " + memoryMb + " MB x " + count);
            }
        }
    }

    public InvokerConfig {
        if (userMemoryMb <= 0) {
            throw new IllegalArgumentException("userMemoryMb must be positive: " + userMemoryMb);
        }
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(startTimeout, "startTimeout");
        requirePositive(pauseGrace, "pauseGrace");
        Objects.requireNonNull(logWait, "logWait");
        if (logWait.isNegative()) {
            throw new IllegalArgumentException("logWait must not be negative");
        }
        if (maxResultBytes <= 0 || maxBufferedLogBytes <= 0) {
            throw new IllegalArgumentException("maxResultBytes and maxBufferedLogBytes must be positive");
        }
        Objects.requireNonNull(apiHost, "apiHost");
        prewarm = List.copyOf(prewarm);
    }

    /** The defaults: 2048 MB, 10 min keep-alive, 30 s start timeout, 2 s log wait, 1 MiB results, 16 MiB log buffer. */
    public static InvokerConfig defaults() {
        return new InvokerConfig(2048, Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(2), 1024 * 1024,
                16 * 1024 * 1024, Optional.empty(), List.of(), false, Duration.ofSeconds(10));
    }

    public InvokerConfig withUserMemoryMb(int mb) {
        return new InvokerConfig(mb, idleTimeout, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes, apiHost, prewarm, stockOpenWhisk, pauseGrace);
    }

    public InvokerConfig withIdleTimeout(Duration d) {
        return new InvokerConfig(userMemoryMb, d, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes, apiHost, prewarm, stockOpenWhisk, pauseGrace);
    }

    public InvokerConfig withStartTimeout(Duration d) {
        return new InvokerConfig(userMemoryMb, idleTimeout, d, logWait, maxResultBytes, maxBufferedLogBytes, apiHost, prewarm, stockOpenWhisk, pauseGrace);
    }

    public InvokerConfig withLogWait(Duration d) {
        return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, d, maxResultBytes, maxBufferedLogBytes, apiHost, prewarm, stockOpenWhisk, pauseGrace);
    }

    public InvokerConfig withPrewarm(List<Prewarm> stemCells) {
        return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes, apiHost,
                stemCells, stockOpenWhisk, pauseGrace);
    }

    public InvokerConfig withApiHost(String host) {
        return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes,
                Optional.of(host), prewarm, stockOpenWhisk, pauseGrace);
    }

    public InvokerConfig withMaxResultBytes(int bytes) {
        return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, logWait, bytes, maxBufferedLogBytes, apiHost, prewarm, stockOpenWhisk, pauseGrace);
    }

    /** With a stock OpenWhisk invoker's timeout and {@code 503} handling (see {@code stockOpenWhisk}). */
    public InvokerConfig withStockOpenWhisk(boolean stock) {
        return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes, apiHost, prewarm,
                stock, pauseGrace);
    }

    /** With idle containers paused after {@code d} (where the launcher can pause them). */
    public InvokerConfig withPauseGrace(Duration d) {
        return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes, apiHost, prewarm,
                stockOpenWhisk, d);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
