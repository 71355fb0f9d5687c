package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.sesemi.platform.invoker.PoolScheduler.Job;
import org.sesemi.platform.invoker.PoolScheduler.Placement;
import org.sesemi.platform.invoker.PoolScheduler.Slot;
import org.sesemi.platform.invoker.PoolScheduler.State;
import org.sesemi.time.FakeClock;

/**
 * The scheduling decisions alone, as OpenWhisk's {@code ContainerPool.schedule} tests: no processes, no threads, time
 * from the {@link FakeClock}. A container is the scheduler's view of one ({@link PoolScheduler.Container}): alive or
 * not, pausable or not.
 */
class PoolSchedulerTest {
    private static final long IDLE = Duration.ofMinutes(10).toNanos();
    private static final long PAUSE = Duration.ofMillis(50).toNanos();

    private final FakeClock clock = new FakeClock();
    private final PoolScheduler scheduler = new PoolScheduler(1024, clock);
    private final List<Slot> evicted = new ArrayList<>();

    /** A container as the scheduler sees it. */
    private static final class Box implements PoolScheduler.Container {
        volatile boolean alive = true;
        final boolean pausable;

        Box(boolean pausable) {
            this.pausable = pausable;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public boolean pausable() {
            return pausable;
        }
    }

    private static Job job(String namespace, String name, int memoryMb, int concurrency) {
        ActionSpec a = TestActions.action(namespace, name, 1, TestActions.limits(60_000, memoryMb, concurrency));
        return new Job(TestActions.invocation(a, TestActions.params()), new CompletableFuture<>(), 0);
    }

    /** Places {@code job}, starts its container (a {@link Box}) and finishes its /init. */
    private Placement runInit(Job job, boolean pausable) {
        Placement p = scheduler.offer(job, evicted);
        assertThat(p).as("placed").isNotNull();
        p.slot().container = new Box(pausable);
        scheduler.initialized(p.slot());
        return p;
    }

    @Test
    void aSecondActivationOfTheSameActionGoesToTheWarmContainer() {
        Placement first = runInit(job("ns", "a", 256, 1), false);
        assertThat(first.containerState()).isEqualTo("cold");
        assertThat(first.startProcess()).isTrue();
        assertThat(first.init()).isTrue();
        assertThat(scheduler.release(first.slot(), false)).isFalse();

        Placement second = scheduler.offer(job("ns", "a", 256, 1), evicted);
        assertThat(second.containerState()).isEqualTo("warm");
        assertThat(second.slot()).isSameAs(first.slot());
        assertThat(second.startProcess()).isFalse();
        assertThat(second.init()).isFalse();
        assertThat(scheduler.stats().coldStarts()).isEqualTo(1);
        assertThat(scheduler.stats().warmStarts()).isEqualTo(1);
    }

    @Test
    void containersAreNotSharedAcrossInvocationNamespacesOrRevisionsOrBeyondTheirConcurrency() {
        Placement a = runInit(job("ns", "a", 128, 2), false);
        Placement other = scheduler.offer(job("other", "a", 128, 2), evicted);
        assertThat(other.containerState()).as("another invocation namespace").isEqualTo("cold");
        Placement second = scheduler.offer(job("ns", "a", 128, 2), evicted);
        assertThat(second.slot()).as("concurrency 2: a second run in the same container").isSameAs(a.slot());
        Placement third = scheduler.offer(job("ns", "a", 128, 2), evicted);
        assertThat(third.slot()).as("both slots busy").isNotSameAs(a.slot());
        assertThat(third.containerState()).isEqualTo("cold");
        assertThat(scheduler.stats().memoryInUseMb()).isEqualTo(3 * 128);
    }

    @Test
    void whenMemoryIsShortTheQueueIsFifoAndAReleaseDrainsIt() {
        Placement big = runInit(job("ns", "big", 1024, 1), false);
        assertThat(scheduler.offer(job("ns", "other", 512, 1), evicted)).as("no memory: queued").isNull();
        assertThat(scheduler.offer(job("ns", "big", 1024, 1), evicted))
                .as("a later activation waits behind the queue's head, so large actions are not starved").isNull();
        assertThat(scheduler.stats().queued()).isEqualTo(2);

        assertThat(scheduler.drain(evicted)).as("nothing fits yet").isEmpty();
        scheduler.release(big.slot(), false);
        List<Placement> placed = scheduler.drain(evicted);
        // The head needs 512 MB: the idle 1024 MB container is evicted for it; the next (big) then waits again.
        assertThat(placed).singleElement().satisfies(p -> assertThat(p.job().invocation().action().name()).isEqualTo("other"));
        assertThat(evicted).containsExactly(big.slot());
        assertThat(big.slot().state).isEqualTo(State.REMOVED);
        assertThat(scheduler.stats().queued()).isEqualTo(1);
    }

    @Test
    void evictionTakesTheLeastRecentlyUsedIdleContainersFirst() {
        Placement a = runInit(job("ns", "a", 256, 1), false);
        Placement b = runInit(job("ns", "b", 256, 1), false);
        Placement c = runInit(job("ns", "c", 256, 1), false);
        Placement d = runInit(job("ns", "d", 256, 1), false);
        scheduler.release(b.slot(), false);
        clock.advance(Duration.ofSeconds(1));
        scheduler.release(a.slot(), false);
        clock.advance(Duration.ofSeconds(1));
        scheduler.release(c.slot(), false);
        // d is busy; 1024 MB are in use. A 512 MB action needs two idle containers gone: b (oldest), then a.
        Placement e = scheduler.offer(job("ns", "e", 512, 1), evicted);
        assertThat(e.containerState()).isEqualTo("cold");
        assertThat(evicted).containsExactly(b.slot(), a.slot());
        assertThat(c.slot().state).isEqualTo(State.READY);
        assertThat(d.slot().state).isEqualTo(State.READY);
    }

    @Test
    void aStemCellOfTheSameImageAndMemoryIsTakenBeforeAColdStart() {
        Slot stem = scheduler.newStemCell(TestActions.IMAGE, 256);
        assertThat(scheduler.stats().prewarmStarting()).isEqualTo(1);
        stem.container = new Box(false);
        stem.state = State.PREWARM; // as stemCellReady does once the process listens
        assertThat(scheduler.stats().memoryInUseMb()).as("stem cells are not charged until taken").isZero();

        Placement other = scheduler.offer(job("ns", "a", 512, 1), evicted);
        assertThat(other.containerState()).as("another memory size").isEqualTo("cold");
        Placement p = scheduler.offer(job("ns", "b", 256, 1), evicted);
        assertThat(p.containerState()).isEqualTo("prewarmed");
        assertThat(p.slot()).isSameAs(stem);
        assertThat(p.startProcess()).isFalse();
        assertThat(p.init()).isTrue();
        assertThat(scheduler.stats().memoryInUseMb()).isEqualTo(768);
        assertThat(scheduler.stats().prewarmStarts()).isEqualTo(1);
    }

    @Test
    void idleContainersPauseAfterTheGraceAndExpireAfterTheIdleTimeoutByTheClock() {
        Placement pausable = runInit(job("ns", "p", 256, 1), true);
        Placement process = runInit(job("ns", "q", 256, 1), false);
        scheduler.release(pausable.slot(), false);
        scheduler.release(process.slot(), false);

        clock.advance(Duration.ofMillis(49));
        assertThat(scheduler.sweep(IDLE, PAUSE).toPause()).isEmpty();
        clock.advance(Duration.ofMillis(1));
        PoolScheduler.Sweep s = scheduler.sweep(IDLE, PAUSE);
        assertThat(s.toPause()).as("only a container the engine can pause").containsExactly(pausable.slot());
        assertThat(scheduler.sweep(IDLE, PAUSE).toPause()).as("marked once").isEmpty();

        Placement warm = scheduler.offer(job("ns", "p", 256, 1), evicted);
        assertThat(warm.slot()).isSameAs(pausable.slot());
        assertThat(pausable.slot().paused).as("taken: to be resumed before its /run").isFalse();
        scheduler.release(warm.slot(), false);

        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(scheduler.sweep(IDLE, PAUSE).expired()).as("q idle for 10 min").containsExactly(process.slot());
        clock.advance(Duration.ofMillis(1));
        assertThat(scheduler.sweep(IDLE, PAUSE).expired()).containsExactly(pausable.slot());
        assertThat(scheduler.stats().memoryInUseMb()).isZero();
    }

    @Test
    void deadContainersAreNeverReusedAndDeadStemCellsAreReplaced() {
        Placement a = runInit(job("ns", "a", 256, 1), false);
        scheduler.release(a.slot(), false);
        ((Box) a.slot().container).alive = false;
        Placement again = scheduler.offer(job("ns", "a", 256, 1), evicted);
        assertThat(again.containerState()).isEqualTo("cold");
        assertThat(evicted).containsExactly(a.slot());

        Slot stem = scheduler.newStemCell(TestActions.IMAGE, 128);
        Box box = new Box(false);
        stem.container = box;
        stem.state = State.PREWARM;
        box.alive = false;
        assertThat(scheduler.sweep(IDLE, PAUSE).deadStemCells()).containsExactly(stem);
    }

    @Test
    void aContainerMarkedForRemovalGoesWhenItsLastActivationLeaves() {
        Placement a = runInit(job("ns", "a", 256, 2), false);
        Placement b = scheduler.offer(job("ns", "a", 256, 2), evicted);
        assertThat(b.slot()).isSameAs(a.slot());
        assertThat(scheduler.release(a.slot(), true)).as("another activation still runs in it").isFalse();
        assertThat(scheduler.offer(job("ns", "a", 256, 2), evicted).slot()).as("not reused once marked").isNotSameAs(a.slot());
        assertThat(scheduler.release(b.slot(), false)).as("the last one out destroys it").isTrue();
        assertThat(a.slot().state).isEqualTo(State.REMOVED);
    }
}
