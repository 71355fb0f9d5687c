package org.sesemi.platform.invoker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sesemi.platform.invoker.PoolScheduler.Job;
import org.sesemi.platform.invoker.PoolScheduler.Placement;
import org.sesemi.platform.invoker.PoolScheduler.Slot;
import org.sesemi.time.SystemTime;
import org.sesemi.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invoker: a memory-bounded pool of {@link ProcessContainer}s. Which container gets an activation is the
 * {@link PoolScheduler}'s decision (OpenWhisk's classic order, reference §3.2); running it there is the
 * {@link ActivationRunner}'s, speaking the action protocol through the {@link ActionProxy}. This class does the
 * container work those decisions ask for (start, pause, resume, destroy, stem cells) and the threads.
 *
 * <p>Containers are destroyed after a developer or whisk error, after a timeout, and after {@code idleTimeout} without
 * work. Containers whose launcher can pause them (podman, docker: {@link ContainerLauncher.Freezer}) are paused after
 * {@link InvokerConfig#pauseGrace()} idle and resumed before the next activation's {@code /run}, as OpenWhisk's
 * {@code pause-grace}; local processes are not paused (they simply stay running until their keep-alive ends).
 *
 * <p>Differences from OpenWhisk worth knowing: every container gets {@code __OW_ALLOW_CONCURRENT=true}, because the pool
 * alone enforces {@code limits.concurrency} and a stem cell does not know its future action's limit; a {@code 503} is
 * "busy" (see {@link ActivationRunner}); failures before a container exists (unknown image, too much memory, shutdown)
 * report {@code containerState} {@code cold}.
 *
 * <p>Thread-safety: all pool state is guarded by one lock; container I/O (start, {@code /init}, {@code /run}, kill) runs
 * outside it on virtual threads, one per activation. {@link #invoke} never blocks. Blocking native process work runs on
 * platform threads (docs/architecture.md, "Threads"): spawns on a small bounded pool, each container's output pipes on
 * its own two reader threads ({@link LogCollector}); virtual threads only wait on sockets, futures and locks, each with
 * a deadline.
 */
public final class ContainerPool implements Invoker, ActivationRunner.Pool {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerPool.class);
    static final String CONCURRENT_LOGS_NOTE = ActivationRunner.CONCURRENT_LOGS_NOTE;
    /** Pause before a job a busy (or, for a stock OpenWhisk, unhealthy) container refused goes back to the head of the queue. */
    static final long BUSY_RETRY_MS = 20;

    private final InvokerConfig config;
    private final ImageRegistry images;
    private final ContainerLauncher launcher;
    private final ScheduledExecutorService sweeper;
    /** Platform threads for the native process spawn; two suffice (a spawn takes milliseconds), more only queue. */
    private final ExecutorService spawner = Executors.newFixedThreadPool(2,
            Thread.ofPlatform().daemon().name("container-spawn-", 0).factory());
    /** Guards the scheduler and {@link #closed}. */
    private final Object lock = new Object();
    private final PoolScheduler scheduler;
    private final ActivationRunner runner;
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
        this.images = Objects.requireNonNull(images, "images");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        Objects.requireNonNull(clock, "clock");
        for (InvokerConfig.Prewarm p : config.prewarm()) {
            if (!images.contains(p.image())) {
                throw new IllegalArgumentException("prewarm image '" + p.image() + "' is not in the image registry");
            }
        }
        this.scheduler = new PoolScheduler(config.userMemoryMb(), ticker);
        this.runner = new ActivationRunner(config, images, new ActionProxy(config.maxResultBytes()), clock, this);
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
        if (!images.contains(image)) {
            result.complete(runner.failure(invocation, ActivationOutcome.DEVELOPER_ERROR,
                    "image '" + image + "' is not available on this platform", "cold"));
            return result;
        }
        if (action.limits().memoryMb() > config.userMemoryMb()) {
            result.complete(runner.failure(invocation, ActivationOutcome.INTERNAL_ERROR, "The action needs "
                    + action.limits().memoryMb() + " MB of memory but this invoker has only " + config.userMemoryMb() + " MB.", "cold"));
            return result;
        }
        Placement placement;
        List<Slot> evicted = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                result.complete(runner.failure(invocation, ActivationOutcome.INTERNAL_ERROR, "The invoker is shutting down.", "cold"));
                return result;
            }
            placement = scheduler.offer(new Job(invocation, result, 0), evicted);
        }
        destroyAll(evicted);
        if (placement != null) {
            launch(placement);
        }
        return result;
    }

    /** Runs a placement on its own virtual thread (after replacing a stem cell it took). */
    private void launch(Placement placement) {
        Invocation inv = placement.job().invocation();
        Slot slot = placement.slot();
        if (placement.containerState().equals("prewarmed")) {
            if (slot.concurrency > 1) {
                slot.process.logs().discardFromNowOn();
            }
            Thread.ofVirtual().name("prewarm-replace").start(() -> startPrewarm(slot.image, slot.memoryMb));
        }
        Thread.ofVirtual().name("activation-" + inv.activationId()).start(() -> {
            ActivationRunner.Executed done;
            try {
                done = runner.execute(placement);
            } catch (RuntimeException | Error | InterruptedException t) {
                LOG.error("activation {} failed inside the invoker", inv.activationId(), t);
                done = new ActivationRunner.Executed(runner.failure(inv, ActivationOutcome.INTERNAL_ERROR,
                        "The invoker failed to run the activation.", "cold"), true);
            }
            finish(placement, done.remove());
            if (done.outcome() == null) {
                reschedule(placement.job().retried());
            } else {
                placement.job().result().complete(runner.withDeveloperErrorNote(done.outcome()));
            }
        });
    }

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
                    scheduler.requeueFirst(job);
                }
            }
            if (isClosed) {
                job.result().complete(runner.failure(job.invocation(), ActivationOutcome.INTERNAL_ERROR,
                        "The invoker is shutting down.", "cold"));
            } else {
                drain();
            }
        });
    }

    /** Releases the activation's slot; destroys the container if it is to go (once nothing else runs in it). */
    private void finish(Placement p, boolean remove) {
        Slot slot = p.slot();
        boolean destroy;
        synchronized (lock) {
            if (p.init()) {
                // An unexpected failure before init finished leaves a container nobody can use: remove it.
                remove |= scheduler.stillStarting(slot);
            }
            destroy = scheduler.release(slot, remove);
        }
        if (p.init()) {
            // Activations waiting on this container's init must never hang, whatever happened (no-op if done).
            slot.initialized.complete(ActionProxy.error("The container failed before its initialization completed."));
        }
        if (destroy && slot.process != null) {
            slot.process.close();
        }
        drain();
    }

    /** Places queued jobs in order until the head does not fit. */
    private void drain() {
        List<Placement> placed;
        List<Slot> evicted = new ArrayList<>();
        synchronized (lock) {
            placed = closed ? List.of() : scheduler.drain(evicted);
        }
        destroyAll(evicted);
        placed.forEach(this::launch);
    }

    @Override
    public ProcessContainer start(String image, int memoryMb) throws ProcessContainer.StartException, InterruptedException {
        return startProcess(image, memoryMb);
    }

    @Override
    public boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public void initialized(Slot slot) {
        synchronized (lock) {
            scheduler.initialized(slot);
        }
    }

    /**
     * Pauses an idle container (on a virtual thread of the sweeper's): only if it is still meant to be paused when its
     * freeze lock is held, so a pause never lands after the resume of an activation that took the container meanwhile.
     */
    private void freeze(Slot s) {
        s.freezeLock.lock();
        try {
            synchronized (lock) {
                if (!s.paused || s.state == PoolScheduler.State.REMOVED || s.frozen) {
                    return;
                }
            }
            s.process.freezer().ifPresent(f -> s.frozen = f.pause());
        } finally {
            s.freezeLock.unlock();
        }
    }

    /** Resumes a paused container before an activation's {@code /run} (a no-op unless it was paused). */
    @Override
    public void thaw(Slot s) {
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

    private void destroyAll(List<Slot> gone) {
        for (Slot s : gone) {
            if (s.process != null) {
                s.process.close();
            }
        }
    }

    /**
     * Starts a container process, trying once more on failure: the free port is chosen before the process binds it,
     * so another process can take it in between.
     */
    private ProcessContainer startProcess(String image, int memoryMb) throws ProcessContainer.StartException, InterruptedException {
        ImageRegistry.Image spec = images.lookup(image).orElseThrow();
        try {
            return ProcessContainer.start(spec, containerEnv(), config.startTimeout(), config.maxBufferedLogBytes(), this::track,
                    spawner, launcher, memoryMb);
        } catch (ProcessContainer.StartException first) {
            return ProcessContainer.start(spec, containerEnv(), config.startTimeout(), config.maxBufferedLogBytes(), this::track,
                    spawner, launcher, memoryMb);
        }
    }

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


    private void expireIdle() {
        PoolScheduler.Sweep sweep;
        synchronized (lock) {
            sweep = scheduler.sweep(config.idleTimeout().toNanos(), config.pauseGrace().toNanos());
        }
        sweep.toPause().forEach(s -> Thread.ofVirtual().name("container-pause").start(() -> freeze(s)));
        if (!sweep.deadStemCells().isEmpty()) {
            LOG.warn("{} prewarm containers died while waiting; replacing them", sweep.deadStemCells().size());
            destroyAll(sweep.deadStemCells());
            sweep.deadStemCells().forEach(s -> Thread.ofVirtual().name("prewarm-replace").start(() -> startPrewarm(s.image, s.memoryMb)));
        }
        if (!sweep.expired().isEmpty()) {
            LOG.debug("destroying {} idle containers", sweep.expired().size());
            destroyAll(sweep.expired());
            drain();
        }
    }

    private void startPrewarm(String image, int memoryMb) {
        Slot slot;
        synchronized (lock) {
            if (closed) {
                return;
            }
            slot = scheduler.newStemCell(image, memoryMb);
        }
        try {
            ProcessContainer process = startProcess(image, memoryMb);
            boolean keep;
            synchronized (lock) {
                keep = scheduler.stemCellReady(slot, process);
            }
            if (!keep) {
                process.close();
            }
        } catch (ProcessContainer.StartException e) {
            LOG.warn("prewarm container of image '{}' failed to start: {}", image, e.getMessage());
            synchronized (lock) {
                scheduler.remove(slot);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            synchronized (lock) {
                scheduler.remove(slot);
            }
        }
        drain();
    }

    /**
     * Every process this pool spawned and that has not exited, from the moment it exists: {@link #close()} kills
     * those still starting too (a prewarm replacement or a cold start in flight), and a process spawned after close
     * is killed at once, so no runtime process outlives the pool.
     */
    private final java.util.Set<Process> spawned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A snapshot for metrics. */
    public PoolStats stats() {
        synchronized (lock) {
            return scheduler.stats();
        }
    }

    /** Process ids of the live containers (for tests and diagnostics). */
    List<Long> containerPids() {
        synchronized (lock) {
            return scheduler.slots().stream().map(s -> s.process).filter(Objects::nonNull).map(ProcessContainer::pid).toList();
        }
    }

    @Override
    public void close() {
        List<Slot> all = new ArrayList<>();
        List<Job> waiting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = scheduler.removeAll(all);
        }
        sweeper.shutdownNow();
        spawner.shutdown();
        for (Job job : waiting) {
            job.result().complete(runner.failure(job.invocation(), ActivationOutcome.INTERNAL_ERROR, "The invoker is shutting down.", "cold"));
        }
        destroyAll(all);
        spawned.forEach(ContainerPool::kill);
        launcher.close(); // containers whose start was still in flight
    }
}
