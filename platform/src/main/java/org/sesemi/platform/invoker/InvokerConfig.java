package org.sesemi.platform.invoker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of the {@link ContainerPool}, made with {@link #builder()}. Defaults work on a laptop and follow OpenWhisk's (2048 MB user memory as in
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
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.userMemoryMb = userMemoryMb;
        b.idleTimeout = idleTimeout;
        b.startTimeout = startTimeout;
        b.logWait = logWait;
        b.maxResultBytes = maxResultBytes;
        b.maxBufferedLogBytes = maxBufferedLogBytes;
        b.apiHost = apiHost;
        b.prewarm = prewarm;
        b.stockOpenWhisk = stockOpenWhisk;
        b.pauseGrace = pauseGrace;
        return b;
    }

    /** Builds an {@link InvokerConfig}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private int userMemoryMb = 2048;
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration startTimeout = Duration.ofSeconds(30);
        private Duration logWait = Duration.ofSeconds(2);
        private int maxResultBytes = 1024 * 1024;
        private int maxBufferedLogBytes = 16 * 1024 * 1024;
        private Optional<String> apiHost = Optional.empty();
        private List<Prewarm> prewarm = List.of();
        private boolean stockOpenWhisk;
        private Duration pauseGrace = Duration.ofSeconds(10);

        private Builder() {}

        public Builder userMemoryMb(int v) {
            userMemoryMb = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder startTimeout(Duration v) {
            startTimeout = v;
            return this;
        }

        public Builder logWait(Duration v) {
            logWait = v;
            return this;
        }

        public Builder maxResultBytes(int v) {
            maxResultBytes = v;
            return this;
        }

        public Builder apiHost(String v) {
            apiHost = Optional.of(v);
            return this;
        }

        public Builder prewarm(List<Prewarm> stemCells) {
            prewarm = stemCells;
            return this;
        }

        /** A stock OpenWhisk invoker's timeout and {@code 503} handling (see {@code stockOpenWhisk}). */
        public Builder stockOpenWhisk(boolean v) {
            stockOpenWhisk = v;
            return this;
        }

        /** Idle containers are paused after this long (where the launcher can pause them). */
        public Builder pauseGrace(Duration v) {
            pauseGrace = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the value out of its bounds */
        public InvokerConfig build() {
            return new InvokerConfig(userMemoryMb, idleTimeout, startTimeout, logWait, maxResultBytes, maxBufferedLogBytes,
                    apiHost, prewarm, stockOpenWhisk, pauseGrace);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
