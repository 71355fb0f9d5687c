package org.sesemi.platform.invoker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.sesemi.time.Ticker;

/**
 * Which container gets an activation, in OpenWhisk's classic order (reference §3.2): a warm container of the same
 * action revision and invocation namespace with a free concurrency slot; else, if the memory fits (after evicting idle
 * containers least recently used first), a prewarmed stem cell of the same image and memory, or a cold start; else a
 * FIFO queue, behind which every later activation waits so that large actions are not starved by small ones. Also
 * which idle containers expire or pause.
 *
 * <p>Pure bookkeeping: no I/O, no threads; time from the injected {@link Ticker}. Not thread-safe: the
 * {@link ContainerPool} calls it under its lock and does the container work the decisions ask for.
 */
final class PoolScheduler {
    enum State { STARTING, PREWARM_STARTING, PREWARM, READY, REMOVED }

    /** Containers are reused only for the same action revision and invocation namespace. */
    record Key(String path, long revision, String invocationNamespace) {
        static Key of(Invocation inv) {
            return new Key(inv.action().path(), inv.action().revision(), inv.invocationNamespace());
        }
    }

    /** What the scheduler needs to know of a running container. */
    interface Container {
        boolean isAlive();

        /** Whether the container engine can pause it ({@link ContainerLauncher.Freezer}). */
        boolean pausable();
    }

    /** One container and its bookkeeping; mutable fields belong to the scheduler (the pool's lock). */
    static final class Slot {
        final String image;
        final int memoryMb;
        Key key; // null while a stem cell
        int concurrency = 1;
        State state;
        boolean removing;
        int active;
        long lastUsedNanos;
        /** Set once the container started; read by activations outside the lock. */
        volatile ProcessContainer process;
        /** Meant to be paused (idle past the pause grace); cleared when an activation takes the slot. */
        boolean paused;
        /** Serializes pause and resume of this container; {@link #frozen} is what the engine last did (pool, not scheduler). */
        final java.util.concurrent.locks.ReentrantLock freezeLock = new java.util.concurrent.locks.ReentrantLock();
        boolean frozen;
        /** Completes after {@code /init}: null on success, else the error result that joiners get too. */
        final CompletableFuture<com.fasterxml.jackson.databind.JsonNode> initialized = new CompletableFuture<>();
        /** The scheduler's view of {@link #process}; separate so tests can give a slot a container without a process. */
        volatile Container container;

        Slot(String image, int memoryMb, State state, long nowNanos) {
            this.image = image;
            this.memoryMb = memoryMb;
            this.state = state;
            this.lastUsedNanos = nowNanos;
        }

        boolean chargesMemory() {
            return key != null && state != State.REMOVED;
        }

        void attach(ProcessContainer p) {
            this.process = p;
            this.container = p;
        }

        private boolean alive() {
            Container c = container;
            return c == null || c.isAlive();
        }

        private boolean dead() {
            Container c = container;
            return c != null && !c.isAlive();
        }
    }

    /** An activation waiting for or holding a container; {@code attempts} counts reschedules after a {@code 503}. */
    record Job(Invocation invocation, CompletableFuture<ActivationOutcome> result, int attempts) {
        Job retried() {
            return new Job(invocation, result, attempts + 1);
        }
    }

    /**
     * A decision; {@code containerState} is how the activation reports it ({@code warm}, {@code prewarmed},
     * {@code cold}); {@code startProcess}: a cold start; {@code init}: the activation runs {@code /init}.
     */
    record Placement(Job job, Slot slot, String containerState, boolean startProcess, boolean init) {}

    /** What a sweep decided: containers to destroy, to pause, and dead stem cells to replace. */
    record Sweep(List<Slot> expired, List<Slot> toPause, List<Slot> deadStemCells) {}

    private final int userMemoryMb;
    private final Ticker ticker;
    private final List<Slot> slots = new ArrayList<>();
    private final Deque<Job> queue = new ArrayDeque<>();
    private int memoryInUseMb;
    private long coldStarts, warmStarts, prewarmStarts;

    PoolScheduler(int userMemoryMb, Ticker ticker) {
        this.userMemoryMb = userMemoryMb;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * A new activation: placed at once if nothing waits before it and a container can be had, else queued (null).
     * Containers it evicted are added to {@code evicted} (already out of the pool: the caller destroys them).
     */
    Placement offer(Job job, List<Slot> evicted) {
        Placement p = queue.isEmpty() ? place(job, evicted) : null;
        if (p == null) {
            queue.add(job);
        }
        return p;
    }

    /** Places queued jobs in order until the head does not fit. */
    List<Placement> drain(List<Slot> evicted) {
        List<Placement> placed = new ArrayList<>();
        while (!queue.isEmpty()) {
            Placement p = place(queue.peek(), evicted);
            if (p == null) {
                break;
            }
            queue.poll();
            placed.add(p);
        }
        return placed;
    }

    /** Puts a job (refused by a busy container) back at the head of the queue. */
    void requeueFirst(Job job) {
        queue.addFirst(job);
    }

    private Placement place(Job job, List<Slot> evicted) {
        ActionSpec action = job.invocation().action();
        Key key = Key.of(job.invocation());
        for (Slot s : List.copyOf(slots)) {
            if (s.key != null && s.state == State.READY && s.active == 0 && s.dead()) {
                remove(s); // died while idle: its memory is free again, and it must not be reused
                evicted.add(s);
            }
        }
        Slot warm = null;
        for (Slot s : slots) {
            if (key.equals(s.key) && !s.removing && (s.state == State.READY || s.state == State.STARTING) && s.alive()
                    && s.active < s.concurrency && (warm == null || warm.state != State.READY && s.state == State.READY)) {
                warm = s;
            }
        }
        if (warm != null) {
            warm.active++;
            warm.paused = false; // resumed by the activation, before its /run
            warmStarts++;
            return new Placement(job, warm, "warm", false, false);
        }
        int needed = action.limits().memoryMb();
        if (memoryInUseMb + needed > userMemoryMb && !evictFor(needed, evicted)) {
            return null;
        }
        String image = ImageRegistry.imageOf(action.exec());
        for (Slot s : slots) {
            if (s.state == State.PREWARM && s.image.equals(image) && s.memoryMb == needed && s.container != null && s.alive()) {
                take(s, key, action.limits().concurrency());
                prewarmStarts++;
                return new Placement(job, s, "prewarmed", false, true);
            }
        }
        Slot cold = new Slot(image, needed, State.STARTING, ticker.read());
        slots.add(cold);
        take(cold, key, action.limits().concurrency());
        coldStarts++;
        return new Placement(job, cold, "cold", true, true);
    }

    private void take(Slot s, Key key, int concurrency) {
        s.key = key;
        s.concurrency = concurrency;
        s.state = State.STARTING;
        s.active = 1;
        memoryInUseMb += s.memoryMb;
    }

    /** Evicts idle action containers, least recently used first, if that frees enough. */
    private boolean evictFor(int neededMb, List<Slot> evicted) {
        List<Slot> idle = slots.stream()
                .filter(s -> s.key != null && s.state == State.READY && s.active == 0 && !s.removing)
                .sorted(Comparator.comparingLong(s -> s.lastUsedNanos))
                .toList();
        int free = userMemoryMb - memoryInUseMb;
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
            remove(s);
            evicted.add(s);
        }
        return true;
    }

    /** Takes a slot out of the pool (its memory is free again); idempotent. */
    void remove(Slot slot) {
        if (slot.state == State.REMOVED) {
            return;
        }
        if (slot.chargesMemory()) {
            memoryInUseMb -= slot.memoryMb;
        }
        slot.state = State.REMOVED;
        slots.remove(slot);
    }

    /** {@code /init} succeeded: the container serves warm activations from now on. */
    void initialized(Slot slot) {
        if (slot.state == State.STARTING) {
            slot.state = State.READY;
        }
    }

    /** Whether a slot never finished its initialization (an unexpected failure: nobody can use it). */
    boolean stillStarting(Slot slot) {
        return slot.state == State.STARTING;
    }

    /**
     * An activation left its slot; {@code remove}: the container is to go. True when the caller must destroy the
     * container now (nothing else runs in it any more).
     */
    boolean release(Slot slot, boolean remove) {
        slot.active--;
        slot.lastUsedNanos = ticker.read();
        if (remove) {
            slot.removing = true;
        }
        if ((slot.removing || slot.state == State.REMOVED) && slot.active <= 0) {
            remove(slot); // removed while busy, or marked for removal after an error: the last activation out
            return true;
        }
        return false;
    }

    /** A stem cell about to start (not charged to the user memory until taken). */
    Slot newStemCell(String image, int memoryMb) {
        Slot slot = new Slot(image, memoryMb, State.PREWARM_STARTING, ticker.read());
        slots.add(slot);
        return slot;
    }

    /** A stem cell's container started; false when the slot was removed meanwhile (the caller destroys the container). */
    boolean stemCellReady(Slot slot, ProcessContainer process) {
        if (slot.state != State.PREWARM_STARTING) {
            return false;
        }
        slot.attach(process);
        slot.state = State.PREWARM;
        return true;
    }

    /**
     * Containers idle for {@code idleTimeoutNanos} (or dead) expire; idle pausable ones past {@code pauseGraceNanos}
     * are marked paused; dead stem cells go.
     */
    Sweep sweep(long idleTimeoutNanos, long pauseGraceNanos) {
        long now = ticker.read();
        List<Slot> expired = new ArrayList<>(), toPause = new ArrayList<>(), deadStemCells = new ArrayList<>();
        for (Slot s : List.copyOf(slots)) {
            boolean idle = s.key != null && s.state == State.READY && s.active == 0;
            if (idle && (s.dead() || now - s.lastUsedNanos >= idleTimeoutNanos)) {
                remove(s);
                expired.add(s);
            } else if (idle && !s.paused && !s.removing && s.container != null && s.container.pausable()
                    && now - s.lastUsedNanos >= pauseGraceNanos) {
                s.paused = true;
                toPause.add(s);
            } else if (s.state == State.PREWARM && s.dead()) {
                remove(s);
                deadStemCells.add(s);
            }
        }
        return new Sweep(expired, toPause, deadStemCells);
    }

    /** Empties the pool: every slot is removed and every waiting job handed back. */
    List<Job> removeAll(List<Slot> removed) {
        removed.addAll(slots);
        List.copyOf(slots).forEach(this::remove);
        List<Job> waiting = List.copyOf(queue);
        queue.clear();
        return waiting;
    }

    List<Slot> slots() {
        return List.copyOf(slots);
    }

    PoolStats stats() {
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
        return new PoolStats(starting, busy, idle, prewarm, prewarmStarting, memoryInUseMb, userMemoryMb, queue.size(),
                coldStarts, warmStarts, prewarmStarts);
    }
}
