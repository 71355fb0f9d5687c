package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sesemi.time.SystemTime;
import org.sesemi.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invoker: a memory-bounded pool of {@link ProcessContainer}s, scheduling activations in OpenWhisk's classic order
 * (reference §3.2): a warm container of the same action revision and invocation namespace with a free concurrency
 * slot; else, if the memory fits (after evicting idle containers least recently used first), a prewarmed stem cell of
 * the same image and memory, or a cold start; else a FIFO queue, behind which every later activation waits so that
 * large actions are not starved by small ones.
 *
 * <p>Containers are destroyed after a developer or whisk error, after a timeout, and after {@code idleTimeout} without
 * work. Containers whose launcher can pause them (podman, docker: {@link ContainerLauncher.Freezer}) are paused after
 * {@link InvokerConfig#pauseGrace()} idle and resumed before the next activation's {@code /run}, as OpenWhisk's
 * {@code pause-grace}; local processes are not paused (they simply stay running until their keep-alive ends).
 *
 * <p>Differences from OpenWhisk worth knowing: every container gets {@code __OW_ALLOW_CONCURRENT=true}, because the pool
 * alone enforces {@code limits.concurrency} and a stem cell does not know its future action's limit; a {@code 503}
 * from a container means "busy" (a SeMIRT runtime whose admission queue is full): the container is kept and the
 * activation is rescheduled after {@link #BUSY_RETRY_MS} until its time limit, then fails as a developer error
 * with the container's answer (OpenWhisk reschedules 503s as container health errors, and so does this pool with
 * {@link InvokerConfig#stockOpenWhisk()}, which also gives {@code /init} and {@code /run} each the whole timeout); stem cells are
 * not charged to {@code userMemoryMb} until taken; failures before a container exists (unknown image, too much memory,
 * shutdown) report {@code containerState} {@code cold}.
 *
 * <p>Thread-safety: all pool state is guarded by one lock; container I/O (start, {@code /init}, {@code /run}, kill) runs
 * outside it on virtual threads, one per activation. {@link #invoke} never blocks. Blocking native process work runs on
 * platform threads (docs/architecture.md, "Threads"): spawns on a small bounded pool, each container's output pipes on
 * its own two reader threads ({@link LogCollector}); virtual threads only wait on sockets, futures and locks, each with
 * a deadline.
 */
public final class ContainerPool implements Invoker {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerPool.class);
    /**
     * Writes {@code /run} bodies: the parameters (nested at most {@code PlatformApi.MAX_JSON_DEPTH} levels, checked at
     * the API) wrapped in {@code {"value": ...}}, one level more than Jackson's default write limit. Without this a
     * request nested as deep as the API accepts failed to serialize, looked like a failed container and cost it.
     */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamWriteConstraints(com.fasterxml.jackson.core.StreamWriteConstraints.builder()
                    .maxNestingDepth(org.sesemi.platform.api.PlatformApi.MAX_JSON_DEPTH + 1).build())
            .build());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String CONCURRENT_LOGS_NOTE =
            "Logs are not available for activations in containers with concurrency > 1: their output cannot be attributed.";

    private enum State { STARTING, PREWARM_STARTING, PREWARM, READY, REMOVED }

    private record Key(String path, long revision, String invocationNamespace) {}

    /** One container and its bookkeeping; fields are guarded by the pool lock except the immutable ones. */
    private static final class Slot {
        final String image;
        final int memoryMb;
        Key key; // null while a stem cell
        int concurrency = 1;
        State state;
        boolean removing;
        int active;
        long lastUsedNanos;
        volatile ProcessContainer process;
        /** Meant to be paused (idle past the pause grace); cleared when an activation takes the slot. Pool lock. */
        boolean paused;
        /** Serializes pause and resume of this container; {@link #frozen} is what the engine last did. */
        final java.util.concurrent.locks.ReentrantLock freezeLock = new java.util.concurrent.locks.ReentrantLock();
        boolean frozen;
        /** Completes after {@code /init}: null on success, else the error result that joiners get too. */
        final CompletableFuture<JsonNode> initialized = new CompletableFuture<>();

        Slot(String image, int memoryMb, State state, long nowNanos) {
            this.image = image;
            this.memoryMb = memoryMb;
            this.state = state;
            this.lastUsedNanos = nowNanos;
        }

        boolean chargesMemory() {
            return key != null && state != State.REMOVED;
        }
    }

    /** An activation waiting for or holding a container; {@code attempts} counts reschedules after a {@code 503}. */
    private record Job(Invocation invocation, CompletableFuture<ActivationOutcome> result, int attempts) {
        Job retried() {
            return new Job(invocation, result, attempts + 1);
        }
    }

    /** How often a stock-OpenWhisk pool moves an activation to a new container after a {@code 503} before failing it. */
    static final int HEALTH_RESCHEDULES = 1;

    /** A scheduling decision; {@code containerState} is how the activation reports it. */
    private record Placement(Job job, Slot slot, String containerState, boolean startProcess, boolean init) {}

    private final InvokerConfig config;
    private final Clock clock;
    private final Ticker ticker;
    private final ImageRegistry images;
    private final ContainerLauncher launcher;
    private final HttpClient http;
    private final ScheduledExecutorService sweeper;
    /** Platform threads for the native process spawn; two suffice (a spawn takes milliseconds), more only queue. */
    private final java.util.concurrent.ExecutorService spawner = Executors.newFixedThreadPool(2,
            Thread.ofPlatform().daemon().name("container-spawn-", 0).factory());
    private final Object lock = new Object();
    private final List<Slot> slots = new ArrayList<>();
    private final Deque<Job> queue = new ArrayDeque<>();
    private int memoryInUseMb;
    private long coldStarts, warmStarts, prewarmStarts;
    private boolean closed;

    /**
     * Starts the pool and its configured stem cells (in the background).
     *
     * @throws IllegalArgumentException a prewarm names an image the registry does not know
     */
    public ContainerPool(InvokerConfig config, ImageRegistry images) {
        this(config, images, ContainerLauncher.PROCESSES);
    }

    /**
     * As above, with containers started by {@code launcher} (local processes, or a container engine); the pool closes
     * the launcher when it closes.
     */
    public ContainerPool(InvokerConfig config, ImageRegistry images, ContainerLauncher launcher) {
        this(config, images, launcher, SystemTime.clock(), SystemTime.ticker());
    }

    /** As above, reading time from {@code clock} (activation records, log lines) and {@code ticker} (idle times). */
    public ContainerPool(InvokerConfig config, ImageRegistry images, ContainerLauncher launcher, Clock clock, Ticker ticker) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.images = Objects.requireNonNull(images, "images");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        for (InvokerConfig.Prewarm p : config.prewarm()) {
            if (!images.contains(p.image())) {
                throw new IllegalArgumentException("prewarm image '" + p.image() + "' is not in the image registry");
            }
        }
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "container-pool-sweeper");
            t.setDaemon(true);
            return t;
        });
        long sweepMillis = Math.max(10, Math.min(Math.min(config.idleTimeout().toMillis(), config.pauseGrace().toMillis()) / 4, 30_000));
        sweeper.scheduleWithFixedDelay(this::expireIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        for (InvokerConfig.Prewarm p : config.prewarm()) {
            for (int i = 0; i < p.count(); i++) {
                // In the background, as documented: a slow runtime start (up to twice the start timeout) must not keep
                // the platform from listening.
                Thread.ofVirtual().name("prewarm-start").start(() -> startPrewarm(p.image(), p.memoryMb()));
            }
        }
    }

    @Override
    public CompletableFuture<ActivationOutcome> invoke(Invocation invocation) {
        Objects.requireNonNull(invocation, "invocation");
        CompletableFuture<ActivationOutcome> result = new CompletableFuture<>();
        ActionSpec action = invocation.action();
        String image = ImageRegistry.imageOf(action.exec());
        long now = clock.millis();
        if (!images.contains(image)) {
            result.complete(failure(invocation, now, ActivationOutcome.DEVELOPER_ERROR,
                    "image '" + image + "' is not available on this platform"));
            return result;
        }
        if (action.limits().memoryMb() > config.userMemoryMb()) {
            result.complete(failure(invocation, now, ActivationOutcome.INTERNAL_ERROR, "The action needs "
                    + action.limits().memoryMb() + " MB of memory but this invoker has only " + config.userMemoryMb() + " MB."));
            return result;
        }
        Job job = new Job(invocation, result, 0);
        Placement placement = null;
        List<Slot> evicted = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                result.complete(failure(invocation, now, ActivationOutcome.INTERNAL_ERROR, "The invoker is shutting down."));
                return result;
            }
            if (queue.isEmpty()) {
                placement = place(job, evicted);
            }
            if (placement == null) {
                queue.add(job);
            }
        }
        destroyAll(evicted);
        if (placement != null) {
            launch(placement);
        }
        return result;
    }

    /** Tries to give {@code job} a container; null when memory is short even after eviction. Caller holds the lock. */
    private Placement place(Job job, List<Slot> evicted) {
        ActionSpec action = job.invocation().action();
        Key key = new Key(action.path(), action.revision(), job.invocation().invocationNamespace());
        int concurrency = action.limits().concurrency();
        for (Slot s : List.copyOf(slots)) {
            if (s.key != null && s.state == State.READY && s.active == 0 && s.process != null && !s.process.isAlive()) {
                removeLocked(s); // died while idle: its memory is free again, and it must not be reused
                evicted.add(s);
            }
        }
        Slot warm = null;
        for (Slot s : slots) {
            if (key.equals(s.key) && !s.removing && (s.state == State.READY || s.state == State.STARTING)
                    && (s.process == null || s.process.isAlive())
                    && s.active < s.concurrency && (warm == null || warm.state != State.READY && s.state == State.READY)) {
                warm = s;
            }
        }
        if (warm != null) {
            warm.active++;
            warm.paused = false; // resumed by the activation (execute), before its /run
            warmStarts++;
            return new Placement(job, warm, "warm", false, false);
        }
        int needed = action.limits().memoryMb();
        if (memoryInUseMb + needed > config.userMemoryMb() && !evictFor(needed, evicted)) {
            return null;
        }
        String image = ImageRegistry.imageOf(action.exec());
        for (Slot s : slots) {
            if (s.state == State.PREWARM && s.image.equals(image) && s.memoryMb == needed && s.process.isAlive()) {
                s.key = key;
                s.concurrency = concurrency;
                s.state = State.STARTING;
                s.active = 1;
                memoryInUseMb += needed;
                prewarmStarts++;
                if (concurrency > 1) {
                    s.process.logs().discardFromNowOn();
                }
                Thread.ofVirtual().name("prewarm-replace").start(() -> startPrewarm(s.image, s.memoryMb));
                return new Placement(job, s, "prewarmed", false, true);
            }
        }
        Slot cold = new Slot(image, needed, State.STARTING, ticker.read());
        cold.key = key;
        cold.concurrency = concurrency;
        cold.active = 1;
        slots.add(cold);
        memoryInUseMb += needed;
        coldStarts++;
        return new Placement(job, cold, "cold", true, true);
    }

    /** Evicts idle action containers, least recently used first, if that frees enough. Caller holds the lock. */
    private boolean evictFor(int neededMb, List<Slot> evicted) {
        List<Slot> idle = slots.stream()
                .filter(s -> s.key != null && s.state == State.READY && s.active == 0 && !s.removing)
                .sorted(Comparator.comparingLong(s -> s.lastUsedNanos))
                .toList();
        int free = config.userMemoryMb() - memoryInUseMb;
        List<Slot> victims = new ArrayList<>();
        for (Slot s : idle) {
            if (free >= neededMb) {
                break;
            }
            victims.add(s);
            free += s.memoryMb;
        }
        if (free < neededMb) {
            return false;
        }
        for (Slot s : victims) {
            removeLocked(s);
            evicted.add(s);
        }
        return true;
    }

    private void removeLocked(Slot slot) {
        if (slot.state == State.REMOVED) {
            return;
        }
        if (slot.chargesMemory()) {
            memoryInUseMb -= slot.memoryMb;
        }
        slot.state = State.REMOVED;
        slots.remove(slot);
    }

    private void launch(Placement placement) {
        Thread.ofVirtual().name("activation-" + placement.job().invocation().activationId()).start(() -> {
            ActivationOutcome outcome;
            try {
                outcome = execute(placement);
            } catch (RuntimeException | Error | InterruptedException t) {
                LOG.error("activation {} failed inside the invoker", placement.job().invocation().activationId(), t);
                outcome = failure(placement.job().invocation(), clock.millis(), ActivationOutcome.INTERNAL_ERROR,
                        "The invoker failed to run the activation.");
            }
            if (outcome == null) {
                reschedule(placement.job().retried());
            } else {
                placement.job().result().complete(withDeveloperErrorNote(outcome));
            }
        });
    }

    /** Pause before a job a busy (or, for a stock OpenWhisk, unhealthy) container refused goes back to the head of the queue. */
    static final long BUSY_RETRY_MS = 20;

    /** After {@link #BUSY_RETRY_MS}, puts the job back at the head of the queue (or fails it if the pool closed). */
    private void reschedule(Job job) {
        Thread.ofVirtual().name("busy-retry-" + job.invocation().activationId()).start(() -> {
            try {
                Thread.sleep(BUSY_RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boolean isClosed;
            synchronized (lock) {
                isClosed = closed;
                if (!isClosed) {
                    queue.addFirst(job);
                }
            }
            if (isClosed) {
                job.result().complete(failure(job.invocation(), clock.millis(), ActivationOutcome.INTERNAL_ERROR,
                        "The invoker is shutting down."));
            } else {
                drain();
            }
        });
    }

    /**
     * A container answered 503: by default it is alive and reachable but has no room for this activation now; for a
     * stock OpenWhisk ({@link InvokerConfig#stockOpenWhisk()}) it is unhealthy.
     */
    private static boolean busy(Call run) {
        return !run.timedOut() && !run.connectionFailed() && run.response() != null && run.response().status() == 503;
    }

    /**
     * Runs one placed activation to its outcome; always releases its slot. Null when the container was busy and the
     * activation still has time: the caller reschedules it.
     */
    private ActivationOutcome execute(Placement p) throws InterruptedException {
        Invocation inv = p.job().invocation();
        ActionSpec action = inv.action();
        Slot slot = p.slot();
        int timeoutMs = action.limits().timeoutMs();
        boolean remove = false;
        try {
            if (p.startProcess()) {
                try {
                    slot.process = startProcess(slot.image, slot.memoryMb);
                    if (slot.concurrency > 1) {
                        slot.process.logs().discardFromNowOn();
                    }
                    boolean shutDown;
                    synchronized (lock) {
                        shutDown = closed;
                    }
                    if (shutDown) {
                        remove = true;
                        long now = clock.millis();
                        return new ActivationOutcome(now, now, ActivationOutcome.INTERNAL_ERROR,
                                errorResult("The invoker is shutting down."), List.of(), OptionalLong.empty(),
                                now - inv.receivedAtMillis(), false, p.containerState());
                    }
                } catch (ProcessContainer.StartException e) {
                    remove = true;
                    ObjectNode error = errorResult("Failed to start a container for the action: " + e.getMessage());
                    slot.initialized.complete(error);
                    long now = clock.millis();
                    return new ActivationOutcome(now, now, ActivationOutcome.INTERNAL_ERROR, error, List.of(), OptionalLong.empty(),
                            now - inv.receivedAtMillis(), false, p.containerState());
                }
            }
            long start;
            long waitTime;
            long deadline;
            OptionalLong initTime = OptionalLong.empty();
            if (p.init()) {
                start = clock.millis();
                waitTime = Math.max(0, start - inv.receivedAtMillis());
                deadline = start + timeoutMs;
                Call init = call(slot, "/init", initBody(inv, deadline), timeoutMs, config.maxResultBytes());
                long initEnd = clock.millis();
                initTime = OptionalLong.of(initEnd - start);
                JsonNode initError = initError(init, timeoutMs);
                if (initError != null) {
                    remove = true;
                    slot.initialized.complete(initError);
                    if (config.stockOpenWhisk() && busy(init) && healthReschedule(p)) {
                        return null;
                    }
                    List<String> logs = logsAfterFailure(slot, action.limits());
                    return new ActivationOutcome(start, initEnd, ActivationOutcome.DEVELOPER_ERROR, initError, logs, initTime,
                            waitTime, init.timedOut(), p.containerState());
                }
                synchronized (lock) {
                    if (slot.state == State.STARTING) {
                        slot.state = State.READY;
                    }
                }
                slot.initialized.complete(null);
                if (config.stockOpenWhisk()) {
                    deadline = clock.millis() + timeoutMs; // OpenWhisk: /run gets the whole timeout again
                }
            } else {
                JsonNode initError;
                try {
                    // The activation that runs /init completes this within its own start and time limits.
                    initError = slot.initialized.get(config.startTimeout().toMillis() + timeoutMs + 5_000L, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    initError = errorResult("The container did not finish its initialization in time.");
                }
                if (initError != null) {
                    long now = clock.millis();
                    return new ActivationOutcome(now, now, ActivationOutcome.DEVELOPER_ERROR, initError, List.of(),
                            OptionalLong.empty(), now - inv.receivedAtMillis(), false, p.containerState());
                }
                start = clock.millis();
                waitTime = Math.max(0, start - inv.receivedAtMillis());
                deadline = start + timeoutMs;
            }
            if (!p.init()) {
                thaw(slot);
            }
            long remaining = deadline - clock.millis();
            Call run = remaining <= 0 ? Call.timeout() : call(slot, "/run", runBody(inv, deadline), (int) remaining,
                    config.maxResultBytes());
            long end = clock.millis();
            Result result = runResult(run, timeoutMs);
            if (busy(run) && config.stockOpenWhisk()) {
                remove = true; // OpenWhisk: a container health error; the container goes, with its keys and models
                if (healthReschedule(p)) {
                    return null;
                }
                return new ActivationOutcome(start, end, ActivationOutcome.DEVELOPER_ERROR, result.body(), List.of(), initTime, waitTime,
                        false, p.containerState());
            }
            if (busy(run)) {
                if (end + BUSY_RETRY_MS < inv.receivedAtMillis() + timeoutMs) {
                    return null; // the container stays; the job goes back to the queue
                }
                // Out of time: fail with the container's answer, but keep the (healthy, busy) container.
                return new ActivationOutcome(start, end, ActivationOutcome.DEVELOPER_ERROR, result.body(), List.of(), initTime, waitTime,
                        false, p.containerState());
            }
            remove = result.status() >= ActivationOutcome.DEVELOPER_ERROR;
            List<String> logs;
            if (slot.concurrency > 1) {
                logs = List.of(clock.instant() + " stderr: " + CONCURRENT_LOGS_NOTE);
            } else if (remove) {
                logs = logsAfterFailure(slot, action.limits());
            } else {
                logs = slot.process.logs().collect(logWaitMillis(slot), logLimit(action.limits()));
            }
            return new ActivationOutcome(start, end, result.status(), result.body(), logs, initTime, waitTime, run.timedOut(),
                    p.containerState());
        } catch (java.util.concurrent.ExecutionException e) {
            remove = true;
            throw new IllegalStateException(e.getCause());
        } finally {
            if (p.init()) {
                // Activations waiting on this container's init must never hang, whatever happened (no-op if done).
                slot.initialized.complete(errorResult("The container failed before its initialization completed."));
                synchronized (lock) {
                    // An unexpected failure before init finished leaves a container nobody can use: remove it.
                    remove |= slot.state == State.STARTING;
                }
            }
            finish(slot, remove);
        }
    }

    /** OpenWhisk's last log line of an activation that ended in a developer error ({@code logWarningDeveloperError}). */
    static final String DEVELOPER_ERROR_NOTE = "The action did not initialize or run as expected. Log data might be missing.";

    /** Appends {@link #DEVELOPER_ERROR_NOTE} to the logs of a developer error, as OpenWhisk's log stores do. */
    private ActivationOutcome withDeveloperErrorNote(ActivationOutcome o) {
        if (o.statusCode() != ActivationOutcome.DEVELOPER_ERROR) {
            return o;
        }
        List<String> logs = new ArrayList<>(o.logs());
        logs.add(clock.instant() + " stderr: " + DEVELOPER_ERROR_NOTE);
        return new ActivationOutcome(o.start(), o.end(), o.statusCode(), o.result(), List.copyOf(logs), o.initTimeMs(), o.waitTimeMs(),
                o.timeout(), o.containerState());
    }

    /** After a {@code 503} on a stock OpenWhisk: whether the activation may go to another container (it may once). */
    private static boolean healthReschedule(Placement p) {
        LOG.warn("activation {}: the container answered 503; destroying it as OpenWhisk does{}", p.job().invocation().activationId(),
                p.job().attempts() < HEALTH_RESCHEDULES ? " and rescheduling the activation" : "");
        return p.job().attempts() < HEALTH_RESCHEDULES;
    }

    /** Kills the process first so the log readers reach the end of its output, then collects it. */
    private List<String> logsAfterFailure(Slot slot, ActionLimits limits) throws InterruptedException {
        ProcessContainer process = slot.process;
        if (process == null) {
            return List.of();
        }
        if (slot.concurrency > 1) {
            return List.of(clock.instant() + " stderr: " + CONCURRENT_LOGS_NOTE);
        }
        process.close();
        return process.logs().collect(config.logWait().toMillis(), logLimit(limits));
    }

    /** Images that do not mark the end of an activation's output get no wait: their logs are what is there. */
    private long logWaitMillis(Slot slot) {
        return images.lookup(slot.image).map(ImageRegistry.Image::sentinelledLogs).orElse(false) ? config.logWait().toMillis() : 0;
    }

    private static long logLimit(ActionLimits limits) {
        return (long) limits.logsMb() * 1024 * 1024;
    }

    /** Releases the activation's slot; destroys the container if asked to (once nothing else runs in it). */
    private void finish(Slot slot, boolean remove) {
        boolean destroy = false;
        synchronized (lock) {
            slot.active--;
            slot.lastUsedNanos = ticker.read();
            if (remove) {
                slot.removing = true;
            }
            if ((slot.removing || slot.state == State.REMOVED) && slot.active <= 0) {
                // Removed while busy (by close()) or marked for removal after an error: the last activation out kills it.
                removeLocked(slot);
                destroy = true;
            }
        }
        if (destroy && slot.process != null) {
            slot.process.close();
        }
        drain();
    }

    /** Places queued jobs in order until the head does not fit. */
    private void drain() {
        List<Placement> placed = new ArrayList<>();
        List<Slot> evicted = new ArrayList<>();
        synchronized (lock) {
            while (!closed && !queue.isEmpty()) {
                Placement p = place(queue.peek(), evicted);
                if (p == null) {
                    break;
                }
                queue.poll();
                placed.add(p);
            }
        }
        destroyAll(evicted);
        placed.forEach(this::launch);
    }

    /**
     * Pauses an idle container (on a virtual thread of the sweeper's): only if it is still meant to be paused when its
     * freeze lock is held, so a pause never lands after the resume of an activation that took the container meanwhile.
     */
    private void freeze(Slot s) {
        s.freezeLock.lock();
        try {
            synchronized (lock) {
                if (!s.paused || s.state == State.REMOVED || s.frozen) {
                    return;
                }
            }
            s.process.freezer().ifPresent(f -> s.frozen = f.pause());
        } finally {
            s.freezeLock.unlock();
        }
    }

    /** Resumes a paused container before an activation's {@code /run} (a no-op unless it was paused). */
    private void thaw(Slot s) {
        s.freezeLock.lock();
        try {
            if (s.frozen) {
                s.process.freezer().ifPresent(f -> {
                    if (!f.resume()) {
                        LOG.warn("a paused container did not resume; its activation will fail and the container be replaced");
                    }
                });
                s.frozen = false;
            }
        } finally {
            s.freezeLock.unlock();
        }
    }

    private void expireIdle() {
        List<Slot> expired = new ArrayList<>();
        List<Slot> deadStemCells = new ArrayList<>();
        List<Slot> toPause = new ArrayList<>();
        long limit = config.idleTimeout().toNanos();
        long pauseAfter = config.pauseGrace().toNanos();
        long now = ticker.read();
        synchronized (lock) {
            for (Slot s : List.copyOf(slots)) {
                boolean dead = s.process != null && !s.process.isAlive();
                if (s.key != null && s.state == State.READY && s.active == 0 && (dead || now - s.lastUsedNanos >= limit)) {
                    removeLocked(s);
                    expired.add(s);
                } else if (s.key != null && s.state == State.READY && s.active == 0 && !s.paused && !s.removing && s.process != null
                        && s.process.freezer().isPresent() && now - s.lastUsedNanos >= pauseAfter) {
                    s.paused = true;
                    toPause.add(s);
                } else if (s.state == State.PREWARM && dead) {
                    removeLocked(s);
                    deadStemCells.add(s);
                }
            }
        }
        toPause.forEach(s -> Thread.ofVirtual().name("container-pause").start(() -> freeze(s)));
        if (!deadStemCells.isEmpty()) {
            LOG.warn("{} prewarm containers died while waiting; replacing them", deadStemCells.size());
            destroyAll(deadStemCells);
            deadStemCells.forEach(s -> Thread.ofVirtual().name("prewarm-replace").start(() -> startPrewarm(s.image, s.memoryMb)));
        }
        if (!expired.isEmpty()) {
            LOG.debug("destroying {} idle containers", expired.size());
            destroyAll(expired);
            drain();
        }
    }

    private void destroyAll(List<Slot> gone) {
        for (Slot s : gone) {
            if (s.process != null) {
                s.process.close();
            }
        }
    }

    private void startPrewarm(String image, int memoryMb) {
        Slot slot = new Slot(image, memoryMb, State.PREWARM_STARTING, ticker.read());
        synchronized (lock) {
            if (closed) {
                return;
            }
            slots.add(slot);
        }
        try {
            ProcessContainer process = startProcess(image, memoryMb);
            boolean keep;
            synchronized (lock) {
                keep = slot.state == State.PREWARM_STARTING;
                if (keep) {
                    slot.process = process;
                    slot.state = State.PREWARM;
                }
            }
            if (!keep) {
                process.close();
            }
        } catch (ProcessContainer.StartException e) {
            LOG.warn("prewarm container of image '{}' failed to start: {}", image, e.getMessage());
            synchronized (lock) {
                removeLocked(slot);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            synchronized (lock) {
                removeLocked(slot);
            }
        }
        drain();
    }

    /**
     * Starts a container process, trying once more on failure: the free port is chosen before the process binds it,
     * so another process can take it in between.
     */
    private ProcessContainer startProcess(String image, int memoryMb) throws ProcessContainer.StartException, InterruptedException {
        ImageRegistry.Image spec = images.lookup(image).orElseThrow();
        try {
            return ProcessContainer.start(spec, containerEnv(), config.startTimeout(), http, config.maxBufferedLogBytes(), this::track,
                    spawner, launcher, memoryMb);
        } catch (ProcessContainer.StartException first) {
            return ProcessContainer.start(spec, containerEnv(), config.startTimeout(), http, config.maxBufferedLogBytes(), this::track,
                    spawner, launcher, memoryMb);
        }
    }

    /**
     * Every process this pool spawned and that has not exited, from the moment it exists: {@link #close()} kills
     * those still starting too (a prewarm replacement or a cold start in flight), and a process spawned after close
     * is killed at once, so no runtime process outlives the pool.
     */
    private final java.util.Set<Process> spawned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void track(Process p) {
        spawned.add(p);
        p.onExit().thenRun(() -> spawned.remove(p));
        boolean isClosed;
        synchronized (lock) {
            isClosed = closed;
        }
        if (isClosed) {
            kill(p);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private Map<String, String> containerEnv() {
        Map<String, String> env = new HashMap<>();
        // Every container may serve concurrent runs; the pool alone decides how many (limits.concurrency).
        env.put("__OW_ALLOW_CONCURRENT", "true");
        config.apiHost().ifPresent(host -> env.put("__OW_API_HOST", host));
        return env;
    }

    /** The outcome of one HTTP exchange with a container. */
    private record Call(ProcessContainer.Response response, boolean timedOut, boolean connectionFailed) {
        static Call timeout() {
            return new Call(null, true, false);
        }
    }

    private Call call(Slot slot, String path, ObjectNode body, int timeoutMs, int maxBytes) throws InterruptedException {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            return new Call(slot.process.post(path, bytes, Duration.ofMillis(timeoutMs), maxBytes), false, false);
        } catch (TimeoutException e) {
            return Call.timeout();
        } catch (IOException e) {
            return new Call(null, false, true);
        }
    }

    private ObjectNode initBody(Invocation inv, long deadline) {
        ActionSpec action = inv.action();
        ObjectNode value = NODES.objectNode();
        value.put("name", action.name());
        value.put("main", action.exec().main().orElse("main"));
        action.exec().code().ifPresent(code -> value.put("code", code));
        value.put("binary", action.exec().binary());
        ObjectNode env = NODES.objectNode();
        // As OpenWhisk's partitionArguments: an invocation's parameter named like an init parameter replaces its value
        // here (the merged parameters' init keys go to /init), and is not passed to /run.
        action.initEnv().properties().forEach(e -> env.put(e.getKey(),
                stringify(inv.params().has(e.getKey()) ? inv.params().get(e.getKey()) : e.getValue())));
        inv.apiKey().ifPresent(key -> env.put("__OW_API_KEY", key));
        env.put("__OW_NAMESPACE", inv.invocationNamespace());
        env.put("__OW_ACTION_NAME", "/" + action.path());
        env.put("__OW_ACTION_VERSION", action.version());
        env.put("__OW_ACTIVATION_ID", inv.activationId());
        env.put("__OW_TRANSACTION_ID", inv.transactionId());
        env.put("__OW_DEADLINE", Long.toString(deadline));
        value.set("env", env);
        ObjectNode body = NODES.objectNode();
        body.set("value", value);
        return body;
    }

    private static String stringify(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    private ObjectNode runBody(Invocation inv, long deadline) {
        ActionSpec action = inv.action();
        ObjectNode value = action.defaultParams().deepCopy();
        value.setAll(inv.params());
        action.initEnv().properties().forEach(e -> value.remove(e.getKey())); // init parameters go to /init only
        ObjectNode body = NODES.objectNode();
        body.set("value", value);
        body.put("namespace", inv.invocationNamespace());
        body.put("action_name", "/" + action.path());
        body.put("action_version", action.version());
        body.put("activation_id", inv.activationId());
        body.put("transaction_id", inv.transactionId());
        body.put("deadline", Long.toString(deadline));
        inv.apiKey().ifPresent(key -> body.put("api_key", key));
        return body;
    }

    /** Null when {@code /init} succeeded, else the developer-error result (reference §1.3). */
    private static JsonNode initError(Call init, int timeoutMs) {
        if (init.timedOut()) {
            return errorResult("The action exceeded its time limits of " + timeoutMs + " milliseconds during initialization.");
        }
        if (init.connectionFailed() || init.response().contentLength().isEmpty()) {
            return errorResult("The action did not initialize and exited unexpectedly.");
        }
        if (init.response().status() == 200) {
            return null;
        }
        JsonNode body = parse(init.response().body());
        if (body != null && body.isObject() && body.has("error")) {
            return NODES.objectNode().set("error", body.get("error"));
        }
        return errorResult("The action failed during initialization: " + text(init.response().body()));
    }

    private record Result(int status, JsonNode body) {}

    /** Maps a {@code /run} exchange to status and result (reference §1.5). */
    private Result runResult(Call run, int timeoutMs) {
        if (run.timedOut()) {
            return new Result(ActivationOutcome.DEVELOPER_ERROR,
                    errorResult("The action exceeded its time limits of " + timeoutMs + " milliseconds."));
        }
        ProcessContainer.Response response = run.response();
        if (run.connectionFailed() || response.contentLength().isEmpty()) {
            return new Result(ActivationOutcome.DEVELOPER_ERROR,
                    errorResult("The action did not produce a valid response and exited unexpectedly."));
        }
        long declared = response.contentLength().getAsLong();
        if (declared > config.maxResultBytes()) {
            return new Result(ActivationOutcome.APPLICATION_ERROR,
                    errorResult("The action produced a response that exceeded the allowed length: " + declared + " > "
                            + config.maxResultBytes() + " bytes. The truncated response was: " + text(response.body())));
        }
        JsonNode body = parse(response.body());
        if (response.status() == 200 && body != null && body.isObject()) {
            return body.has("error")
                    ? new Result(ActivationOutcome.APPLICATION_ERROR, NODES.objectNode().set("error", body.get("error")))
                    : new Result(ActivationOutcome.SUCCESS, body);
        }
        if (response.status() == 200 && body != null && body.isArray()) {
            return new Result(ActivationOutcome.SUCCESS, body);
        }
        if (response.status() != 200 && body != null && body.isObject() && body.has("error")) {
            return new Result(ActivationOutcome.DEVELOPER_ERROR, NODES.objectNode().set("error", body.get("error")));
        }
        return new Result(ActivationOutcome.DEVELOPER_ERROR,
                errorResult("The action did not produce a valid JSON or JSON Array response: " + text(response.body())));
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static ObjectNode errorResult(String message) {
        return NODES.objectNode().put("error", message);
    }

    private static ActivationOutcome failure(Invocation inv, long now, int status, String message) {
        return new ActivationOutcome(now, now, status, errorResult(message), List.of(), OptionalLong.empty(),
                Math.max(0, now - inv.receivedAtMillis()), false, "cold");
    }

    /** A snapshot for metrics. */
    public PoolStats stats() {
        synchronized (lock) {
            int starting = 0, busy = 0, idle = 0, prewarm = 0, prewarmStarting = 0;
            for (Slot s : slots) {
                switch (s.state) {
                    case STARTING -> starting++;
                    case READY -> {
                        if (s.active > 0) {
                            busy++;
                        } else {
                            idle++;
                        }
                    }
                    case PREWARM -> prewarm++;
                    case PREWARM_STARTING -> prewarmStarting++;
                    case REMOVED -> { }
                }
            }
            return new PoolStats(starting, busy, idle, prewarm, prewarmStarting, memoryInUseMb, config.userMemoryMb(), queue.size(),
                    coldStarts, warmStarts, prewarmStarts);
        }
    }

    /** Process ids of the live containers (for tests and diagnostics). */
    List<Long> containerPids() {
        synchronized (lock) {
            return slots.stream().map(s -> s.process).filter(Objects::nonNull).map(ProcessContainer::pid).toList();
        }
    }

    @Override
    public void close() {
        List<Slot> all;
        List<Job> waiting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(slots);
            all.forEach(this::removeLocked);
            waiting = List.copyOf(queue);
            queue.clear();
        }
        sweeper.shutdownNow();
        spawner.shutdown();
        long now = clock.millis();
        for (Job job : waiting) {
            job.result().complete(failure(job.invocation(), now, ActivationOutcome.INTERNAL_ERROR, "The invoker is shutting down."));
        }
        destroyAll(all);
        spawned.forEach(ContainerPool::kill);
        launcher.close(); // containers whose start was still in flight
        http.close();
    }
}
