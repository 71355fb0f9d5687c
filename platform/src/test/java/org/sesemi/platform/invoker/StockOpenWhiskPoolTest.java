package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sesemi.platform.invoker.TestActions.action;
import static org.sesemi.platform.invoker.TestActions.invocation;
import static org.sesemi.platform.invoker.TestActions.limits;
import static org.sesemi.platform.invoker.TestActions.params;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool with {@link InvokerConfig#stockOpenWhisk()}: a stock OpenWhisk invoker's {@code 503} handling (container
 * destroyed, activation moved to another container once) and timeouts ({@code /init} and {@code /run} each get the
 * whole limit), against real TestAction processes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StockOpenWhiskPoolTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);
    private final List<ContainerPool> pools = new ArrayList<>();

    private ContainerPool pool(boolean stock) {
        ContainerPool pool = new ContainerPool(InvokerConfig.builder().userMemoryMb(512).stockOpenWhisk(stock).build(),
                TestActions.registry());
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void closePools() {
        pools.forEach(ContainerPool::close);
    }

    private static ActivationOutcome run(ContainerPool pool, Invocation invocation) throws Exception {
        return pool.invoke(invocation).get(60, TimeUnit.SECONDS);
    }

    private static long pid(ActivationOutcome outcome) {
        return outcome.result().path("_context").path("pid").asLong();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void a503DestroysTheContainerAndTheActivationRunsOnAnotherOne() throws Exception {
        ContainerPool pool = pool(true);
        ActionSpec echo = action("guest", "unhealthy", 1, limits(20_000, 128, 1));
        long first = pid(run(pool, invocation(echo, params())));

        ActivationOutcome moved = run(pool, invocation(echo, params().put("busyInPid", first)));
        assertThat(moved.statusCode()).as(moved.result().toString()).isZero();
        assertThat(pid(moved)).isNotEqualTo(first);
        assertThat(moved.containerState()).isEqualTo("cold");
        await().atMost(AWAIT).until(() -> !alive(first));
        assertThat(pool.stats().coldStarts()).isEqualTo(2);
    }

    @Test
    void anActivationIsMovedOnceThenFailsWithTheContainersAnswerAndNoContainerIsKept() throws Exception {
        ContainerPool pool = pool(true);
        ActionSpec echo = action("guest", "always503", 1, limits(20_000, 128, 1));
        long first = pid(run(pool, invocation(echo, params())));

        ActivationOutcome refused = run(pool, invocation(echo, params().put("busyUntil", Long.MAX_VALUE)));
        assertThat(refused.statusCode()).as(refused.result().toString()).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(refused.result().path("error").asText()).isEqualTo("busy");
        assertThat(pool.stats().coldStarts()).isEqualTo(2); // the warm container, then one more: moved once
        await().atMost(AWAIT).until(() -> !alive(first) && pool.stats().memoryInUseMb() == 0);
    }

    @Test
    void byDefaultA503KeepsTheContainer() throws Exception {
        ContainerPool pool = pool(false);
        ActionSpec echo = action("guest", "busyonce", 1, limits(20_000, 128, 1));
        long first = pid(run(pool, invocation(echo, params())));
        ActivationOutcome later = run(pool, invocation(echo, params().put("busyUntil", System.currentTimeMillis() + 200)));
        assertThat(later.statusCode()).as(later.result().toString()).isZero();
        assertThat(pid(later)).isEqualTo(first);
        assertThat(pool.stats().coldStarts()).isEqualTo(1);
    }

    @Test
    void initAndRunEachGetTheWholeTimeout() throws Exception {
        // 3.5 s of /init plus 3.5 s of /run: over a 6 s limit counted once, within it counted per phase (2.5 s to spare
        // for a loaded machine).
        ActionSpec slow = action("guest", "phases", 1, limits(6_000, 128, 1), "sleep-init:3500", TestActions.IMAGE);
        ActivationOutcome stock = run(pool(true), invocation(slow, params().put("sleepMs", 3_500)));
        assertThat(stock.statusCode()).as(stock.result().toString()).isZero();
        long deadline = Long.parseLong(stock.result().path("_context").path("deadline").asText());
        assertThat(deadline).isGreaterThanOrEqualTo(stock.start() + stock.initTimeMs().orElseThrow() + 6_000);

        ActivationOutcome combined = run(pool(false), invocation(slow, params().put("sleepMs", 3_500)));
        assertThat(combined.statusCode()).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(combined.timeout()).isTrue();
    }
}
