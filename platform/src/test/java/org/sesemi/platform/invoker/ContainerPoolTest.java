package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sesemi.platform.invoker.TestActions.action;
import static org.sesemi.platform.invoker.TestActions.invocation;
import static org.sesemi.platform.invoker.TestActions.limits;
import static org.sesemi.platform.invoker.TestActions.params;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Drives the pool against real TestAction processes on loopback ports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerPoolTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);
    private final List<ContainerPool> pools = new ArrayList<>();

    private ContainerPool pool(InvokerConfig config) {
        ContainerPool pool = new ContainerPool(config, TestActions.registry());
        pools.add(pool);
        return pool;
    }

    private ContainerPool pool(int memoryMb) {
        return pool(InvokerConfig.builder().userMemoryMb(memoryMb).build());
    }

    @AfterEach
    void closePools() {
        pools.forEach(ContainerPool::close);
    }

    private static ActivationOutcome run(ContainerPool pool, Invocation invocation) throws Exception {
        return pool.invoke(invocation).get(30, TimeUnit.SECONDS);
    }

    private static String describe(ActivationOutcome outcome) {
        String result = outcome.result().toString();
        return (result.length() > 300 ? result.substring(0, 300) + "..." : result) + " state=" + outcome.containerState();
    }

    private static long pid(ActivationOutcome outcome) {
        return outcome.result().path("_context").path("pid").asLong();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void coldStartThenWarmReuseWithAccounting() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec echo = action("guest", "echo", 1, limits(10_000, 128, 1));
        ObjectNode params = params().put("name", "x").put("overridden", "param");

        Invocation first = invocation(echo, params);
        ActivationOutcome cold = run(pool, first);
        assertThat(cold.statusCode()).as(describe(cold)).isZero();
        assertThat(cold.containerState()).isEqualTo("cold");
        assertThat(cold.initTimeMs()).isPresent();
        assertThat(cold.waitTimeMs()).isGreaterThanOrEqualTo(0);
        assertThat(cold.end()).isGreaterThanOrEqualTo(cold.start());
        assertThat(cold.result().path("name").asText()).isEqualTo("x");
        assertThat(cold.result().path("fromDefault").asText()).isEqualTo("d");
        assertThat(cold.result().path("overridden").asText()).isEqualTo("param");
        ObjectNode context = (ObjectNode) cold.result().get("_context");
        assertThat(context.path("activation_id").asText()).isEqualTo(first.activationId());
        assertThat(context.path("action_name").asText()).isEqualTo("/guest/echo");
        assertThat(context.path("namespace").asText()).isEqualTo("guest");
        assertThat(context.path("action_version").asText()).isEqualTo("0.0.1");
        assertThat(Long.parseLong(context.path("deadline").asText())).isEqualTo(cold.start() + 10_000);
        assertThat(context.path("api_key_present").asBoolean()).isFalse();
        assertThat(context.path("init_env").path("INIT_PARAM").asText()).isEqualTo("secret-ish");
        assertThat(context.path("init_env").path("NUMBER").asText()).isEqualTo("7");
        assertThat(context.path("init_env").path("__OW_ACTION_NAME").asText()).isEqualTo("/guest/echo");
        assertThat(context.path("init_env").has("__OW_API_KEY")).isFalse();
        assertThat(context.path("tag").asText()).startsWith("port-");

        ActivationOutcome warm = run(pool, invocation(echo, params()));
        assertThat(warm.statusCode()).as(describe(warm)).isZero();
        assertThat(warm.containerState()).isEqualTo("warm");
        assertThat(warm.initTimeMs()).isEmpty();
        assertThat(warm.waitTimeMs()).isGreaterThanOrEqualTo(0);
        assertThat(pid(warm)).isEqualTo(pid(cold));
        PoolStats stats = pool.stats();
        assertThat(stats.coldStarts()).isEqualTo(1);
        assertThat(stats.warmStarts()).isEqualTo(1);
        assertThat(stats.idle()).isEqualTo(1);
        assertThat(stats.memoryInUseMb()).isEqualTo(128);
    }

    @Test
    void aBusyContainerIsKeptAndTheActivationRescheduledUntilItFitsOrTimesOut() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec echo = action("guest", "busy", 1, limits(3_000, 128, 4));
        long pid = pid(run(pool, invocation(echo, params())));

        // Busy for a while, then free: the same container serves it in the end, with the wait in waitTime.
        long until = System.currentTimeMillis() + 300;
        ActivationOutcome later = run(pool, invocation(echo, params().put("busyUntil", until)));
        assertThat(later.statusCode()).as(describe(later)).isZero();
        assertThat(pid(later)).isEqualTo(pid);
        // start is stamped when /run is sent, a moment before the container reads its own clock, so the successful
        // retry may start a few ms before 'until' (seen: 3 ms under load); the earlier refusals are what waitTime shows.
        assertThat(later.start()).isGreaterThanOrEqualTo(until - 50);
        assertThat(later.waitTimeMs()).isGreaterThanOrEqualTo(250);

        // Busy beyond the time limit: a developer error with the container's answer, and the container survives.
        ActivationOutcome refused = run(pool, invocation(echo, params().put("busyUntil", Long.MAX_VALUE)));
        assertThat(refused.statusCode()).as(describe(refused)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(refused.result().path("error").asText()).isEqualTo("busy");
        assertThat(alive(pid)).isTrue();
        assertThat(pid(run(pool, invocation(echo, params())))).isEqualTo(pid);
        assertThat(pool.stats().coldStarts()).isEqualTo(1);
    }

    @Test
    void apiKeyIsPassedOnlyWhenTheInvocationCarriesOne() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec echo = action("guest", "keyed", 1, limits(10_000, 128, 1));
        Invocation withKey = new Invocation(TestActions.newId(), "subject", "guest", echo, params(), System.currentTimeMillis(),
                Optional.of("uuid:key"), "tx-keyed");
        ActivationOutcome outcome = run(pool, withKey);
        assertThat(outcome.result().path("_context").path("api_key_present").asBoolean()).isTrue();
        assertThat(outcome.result().path("_context").path("init_env").path("__OW_API_KEY").asText()).isEqualTo("uuid:key");
    }

    @Test
    void invocationNamespacesAndRevisionsNeverShareAContainer() throws Exception {
        ContainerPool pool = pool(1024);
        ActionSpec rev1 = action("guest", "shared", 1, limits(10_000, 128, 1));
        ActionSpec rev2 = action("guest", "shared", 2, limits(10_000, 128, 1));
        long a = pid(run(pool, invocation(rev1, "guest", params())));
        long b = pid(run(pool, invocation(rev1, "other", params())));
        long c = pid(run(pool, invocation(rev2, "guest", params())));
        ActivationOutcome again = run(pool, invocation(rev1, "other", params()));
        assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
        assertThat(again.containerState()).isEqualTo("warm");
        assertThat(pid(again)).isEqualTo(b);
        assertThat(pool.stats().coldStarts()).isEqualTo(3);
    }

    @Test
    void concurrencySlotsShareOneContainerOnlyWhenAllowed() throws Exception {
        ContainerPool pool = pool(1024);
        ActionSpec shared = action("guest", "conc2", 1, limits(10_000, 128, 2));
        CompletableFuture<ActivationOutcome> one = pool.invoke(invocation(shared, params().put("sleepMs", 1000)));
        await().atMost(AWAIT).until(() -> pool.stats().coldStarts() == 1);
        CompletableFuture<ActivationOutcome> two = pool.invoke(invocation(shared, params().put("sleepMs", 1000)));
        ActivationOutcome o1 = one.get(30, TimeUnit.SECONDS), o2 = two.get(30, TimeUnit.SECONDS);
        assertThat(o1.statusCode()).as(describe(o1)).isZero();
        assertThat(o2.statusCode()).as(describe(o2)).isZero();
        assertThat(pid(o1)).isEqualTo(pid(o2));
        assertThat(o2.containerState()).isEqualTo("warm");
        assertThat(o1.end()).isGreaterThan(o2.start()); // they overlapped in one container
        assertThat(o1.logs()).singleElement().asString().contains(ContainerPool.CONCURRENT_LOGS_NOTE);

        ActionSpec single = action("guest", "conc1", 1, limits(10_000, 128, 1));
        CompletableFuture<ActivationOutcome> three = pool.invoke(invocation(single, params().put("sleepMs", 500)));
        CompletableFuture<ActivationOutcome> four = pool.invoke(invocation(single, params().put("sleepMs", 500)));
        ActivationOutcome o3 = three.get(30, TimeUnit.SECONDS), o4 = four.get(30, TimeUnit.SECONDS);
        assertThat(pid(o3)).isNotEqualTo(pid(o4));
        assertThat(o3.containerState()).isEqualTo("cold");
        assertThat(o4.containerState()).isEqualTo("cold");
    }

    @Test
    void idleContainersAreEvictedLeastRecentlyUsedFirst() throws Exception {
        ContainerPool pool = pool(256);
        ActionSpec a = action("guest", "a", 1, limits(10_000, 128, 1));
        ActionSpec b = action("guest", "b", 1, limits(10_000, 128, 1));
        ActionSpec c = action("guest", "c", 1, limits(10_000, 128, 1));
        long pidA = pid(run(pool, invocation(a, params())));
        long pidB = pid(run(pool, invocation(b, params())));
        assertThat(run(pool, invocation(a, params())).containerState()).isEqualTo("warm"); // a is now the most recent
        ActivationOutcome outcomeC = run(pool, invocation(c, params()));
        assertThat(outcomeC.containerState()).isEqualTo("cold");
        await().atMost(AWAIT).until(() -> !alive(pidB));
        assertThat(alive(pidA)).isTrue();
        assertThat(run(pool, invocation(a, params())).containerState()).isEqualTo("warm");
        assertThat(pool.stats().memoryInUseMb()).isEqualTo(256);
    }

    @Test
    void busyMemoryQueuesJobsInArrivalOrder() throws Exception {
        ContainerPool pool = pool(128);
        ActionSpec big = action("guest", "big", 1, limits(20_000, 128, 1));
        ActionSpec other = action("guest", "other", 1, limits(20_000, 128, 1));
        CompletableFuture<ActivationOutcome> first = pool.invoke(invocation(big, params().put("sleepMs", 1000)));
        await().atMost(AWAIT).until(() -> pool.stats().coldStarts() == 1);
        CompletableFuture<ActivationOutcome> second = pool.invoke(invocation(other, params()));
        CompletableFuture<ActivationOutcome> third = pool.invoke(invocation(big, params()));
        assertThat(pool.stats().queued()).isEqualTo(2);
        assertThat(second).isNotDone();

        ActivationOutcome o1 = first.get(30, TimeUnit.SECONDS);
        ActivationOutcome o2 = second.get(30, TimeUnit.SECONDS);
        ActivationOutcome o3 = third.get(30, TimeUnit.SECONDS);
        assertThat(List.of(o1.statusCode(), o2.statusCode(), o3.statusCode())).containsOnly(0);
        assertThat(o2.containerState()).isEqualTo("cold"); // evicted big's idle container to fit
        assertThat(o2.start()).isGreaterThanOrEqualTo(o1.end());
        assertThat(o3.start()).isGreaterThanOrEqualTo(o2.end()); // third waited behind second, though big's was warm before
        assertThat(o2.waitTimeMs()).isGreaterThan(0);
        assertThat(pool.stats().queued()).isZero();
    }

    @Test
    void anActionLargerThanTheWholePoolFailsAtOnce() throws Exception {
        ContainerPool pool = pool(256);
        ActivationOutcome outcome = run(pool, invocation(action("guest", "huge", 1, limits(1000, 512, 1)), params()));
        assertThat(outcome.statusCode()).as(describe(outcome)).isEqualTo(ActivationOutcome.INTERNAL_ERROR);
        assertThat(outcome.result().path("error").asText()).contains("512 MB").contains("256 MB");
        assertThat(pool.stats().coldStarts()).isZero();
    }

    @Test
    void timeoutIsADeveloperErrorAndReplacesTheContainer() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec slow = action("guest", "slow", 1, limits(2000, 128, 1));
        long warmPid = pid(run(pool, invocation(slow, params())));
        ActivationOutcome timedOut = run(pool, invocation(slow, params().put("sleepMs", 20_000).set("log", TestActions.JSON
                .createArrayNode().add("before the timeout"))));
        assertThat(timedOut.statusCode()).as(describe(timedOut)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(timedOut.timeout()).isTrue();
        assertThat(timedOut.result().path("error").asText()).isEqualTo("The action exceeded its time limits of 2000 milliseconds.");
        assertThat(timedOut.logs()).anyMatch(line -> line.endsWith("stdout: before the timeout"));
        assertThat(alive(warmPid)).isFalse();
        ActivationOutcome next = run(pool, invocation(slow, params()));
        assertThat(next.containerState()).isEqualTo("cold");
        assertThat(pid(next)).isNotEqualTo(warmPid);
    }

    @Test
    void initTimeoutCountsAgainstTheLimit() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec slowInit = action("guest", "slowinit", 1, limits(1500, 128, 1), "sleep-init:20000", TestActions.IMAGE);
        ActivationOutcome outcome = run(pool, invocation(slowInit, params()));
        assertThat(outcome.statusCode()).as(describe(outcome)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(outcome.timeout()).isTrue();
        assertThat(outcome.initTimeMs()).isPresent();
        assertThat(outcome.result().path("error").asText()).contains("1500 milliseconds during initialization");
        await().atMost(AWAIT).until(() -> pool.stats().memoryInUseMb() == 0);
    }

    @Test
    void aCrashIsADeveloperErrorAndTheNextActivationGetsANewContainer() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec crashy = action("guest", "crashy", 1, limits(10_000, 128, 1));
        long before = pid(run(pool, invocation(crashy, params())));
        ActivationOutcome crash = run(pool, invocation(crashy, params().put("crash", true)
                .set("log", TestActions.JSON.createArrayNode().add("last words"))));
        assertThat(crash.statusCode()).as(describe(crash)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(crash.timeout()).isFalse();
        assertThat(crash.result().path("error").asText())
                .isEqualTo("The action did not produce a valid response and exited unexpectedly.");
        assertThat(crash.logs()).anyMatch(line -> line.endsWith("stdout: last words"));
        ActivationOutcome next = run(pool, invocation(crashy, params()));
        assertThat(next.statusCode()).as(describe(next)).isZero();
        assertThat(next.containerState()).isEqualTo("cold");
        assertThat(pid(next)).isNotEqualTo(before);
    }

    @Test
    void invalidResultsAreDeveloperErrorsAndArraysAreResults() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec odd = action("guest", "odd", 1, limits(10_000, 128, 1));
        ActivationOutcome badJson = run(pool, invocation(odd, params().put("badJson", true)));
        assertThat(badJson.statusCode()).as(describe(badJson)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(badJson.result().path("error").asText())
                .isEqualTo("The action did not produce a valid JSON or JSON Array response: this is not JSON {");
        ActivationOutcome number = run(pool, invocation(odd, params().put("result", 42)));
        assertThat(number.statusCode()).as(describe(number)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(number.containerState()).isEqualTo("cold"); // the bad-JSON container was destroyed
        ActivationOutcome status = run(pool, invocation(odd, params().put("status", 500)));
        assertThat(status.statusCode()).as(describe(status)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(status.result().path("error").asText()).isEqualTo("status 500 requested");
        ActivationOutcome array = run(pool, invocation(odd, params().set("result", TestActions.JSON.createArrayNode().add(1))));
        assertThat(array.statusCode()).as(describe(array)).isZero();
        assertThat(array.result().isArray()).isTrue();
    }

    @Test
    void anApplicationErrorKeepsTheContainerWarm() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec failing = action("guest", "failing", 1, limits(10_000, 128, 1));
        ActivationOutcome error = run(pool, invocation(failing, params().put("error", "no such thing").put("extra", 1)));
        assertThat(error.statusCode()).as(describe(error)).isEqualTo(ActivationOutcome.APPLICATION_ERROR);
        assertThat(error.result()).isEqualTo(TestActions.JSON.createObjectNode().put("error", "no such thing"));
        ActivationOutcome next = run(pool, invocation(failing, params()));
        assertThat(next.containerState()).isEqualTo("warm");
    }

    @Test
    void aFailedInitIsADeveloperErrorWithLogs() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec broken = action("guest", "broken", 1, limits(10_000, 128, 1), "fail-init", TestActions.IMAGE);
        ActivationOutcome outcome = run(pool, invocation(broken, params()));
        assertThat(outcome.statusCode()).as(describe(outcome)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(outcome.result().path("error").asText()).contains("fail-init requested");
        assertThat(outcome.initTimeMs()).isPresent();
        assertThat(outcome.logs()).anyMatch(line -> line.endsWith("stderr: init failed on purpose"));
        assertThat(outcome.logs()).noneMatch(line -> line.contains(LogCollector.SENTINEL));
        await().atMost(AWAIT).until(() -> pool.stats().memoryInUseMb() == 0);
    }

    @Test
    void unknownImagesAndFailedStartsAreReported() throws Exception {
        ContainerPool pool = pool(512);
        ActivationOutcome unknown = run(pool, invocation(action("guest", "ghost", 1, limits(1000, 128, 1), "c", "no-such-image"),
                params()));
        assertThat(unknown.statusCode()).as(describe(unknown)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(unknown.result().path("error").asText()).isEqualTo("image 'no-such-image' is not available on this platform");

        ActivationOutcome exits = run(pool, invocation(action("guest", "exits", 1, limits(1000, 128, 1), "c", "exits-at-once"),
                params()));
        assertThat(exits.statusCode()).as(describe(exits)).isEqualTo(ActivationOutcome.INTERNAL_ERROR);
        assertThat(exits.result().path("error").asText()).contains("Failed to start a container");
        assertThat(pool.stats().memoryInUseMb()).isZero();
    }

    @Test
    void logsAreCutAtTheSentinelsAndTruncatedAtTheLimit() throws Exception {
        ContainerPool pool = pool(InvokerConfig.builder().userMemoryMb(512).maxResultBytes(4 * 1024 * 1024).build());
        ActionSpec chatty = action("guest", "chatty", 1, limits(20_000, 128, 1));
        ActivationOutcome outcome = run(pool, invocation(chatty, params().<ObjectNode>set("log", TestActions.JSON.createArrayNode().add("a")
                .add("b")).set("errLog", TestActions.JSON.createArrayNode().add("oops"))));
        assertThat(outcome.logs()).hasSize(3);
        assertThat(outcome.logs()).filteredOn(l -> l.contains(" stdout: "))
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z stdout: [ab]"));
        assertThat(outcome.logs()).anyMatch(l -> l.endsWith("stderr: oops"));
        ActivationOutcome quiet = run(pool, invocation(chatty, params()));
        assertThat(quiet.logs()).isEmpty(); // nothing of the previous activation leaks in

        var lines = TestActions.JSON.createArrayNode();
        String kilobyte = "x".repeat(1000);
        for (int i = 0; i < 1100; i++) {
            lines.add(kilobyte);
        }
        ActivationOutcome big = run(pool, invocation(chatty, params().set("log", lines)));
        assertThat(big.statusCode()).as(describe(big)).isZero();
        assertThat(big.logs()).hasSizeLessThan(1100);
        assertThat(big.logs().getLast()).contains("Logs were truncated because the total bytes size exceeds the limit of 1048576 bytes.");
    }

    @Test
    void prewarmedStemCellsAreUsedAndReplaced() throws Exception {
        ContainerPool pool = pool(InvokerConfig.builder().userMemoryMb(512)
                .prewarm(List.of(new InvokerConfig.Prewarm(TestActions.IMAGE, 128, 1))).build());
        await().atMost(AWAIT).until(() -> pool.stats().prewarmed() == 1);
        assertThat(pool.stats().memoryInUseMb()).isZero();
        ActionSpec fits = action("guest", "stem", 1, limits(10_000, 128, 1));
        ActivationOutcome first = run(pool, invocation(fits, params()));
        assertThat(first.containerState()).isEqualTo("prewarmed");
        assertThat(first.initTimeMs()).isPresent();
        assertThat(first.result().path("_context").path("init_env").path("__OW_ACTION_NAME").asText()).isEqualTo("/guest/stem");
        await().atMost(AWAIT).until(() -> pool.stats().prewarmed() == 1);
        ActivationOutcome otherMemory = run(pool, invocation(action("guest", "bigger", 1, limits(10_000, 256, 1)), params()));
        assertThat(otherMemory.containerState()).isEqualTo("cold");
        ActivationOutcome second = run(pool, invocation(fits, "someone-else", params()));
        assertThat(second.containerState()).isEqualTo("prewarmed");
        assertThat(pool.stats().prewarmStarts()).isEqualTo(2);
    }

    @Test
    void idleContainersExpire() throws Exception {
        ContainerPool pool = pool(InvokerConfig.builder().userMemoryMb(512).idleTimeout(Duration.ofMillis(300)).build());
        long pid = pid(run(pool, invocation(action("guest", "brief", 1, limits(10_000, 128, 1)), params())));
        await().atMost(AWAIT).until(() -> pool.stats().idle() == 0 && !alive(pid));
        assertThat(pool.stats().memoryInUseMb()).isZero();
    }

    @Test
    void oversizedResultsAreTruncatedApplicationErrors() throws Exception {
        ContainerPool pool = pool(InvokerConfig.builder().userMemoryMb(512).maxResultBytes(64).build());
        ActivationOutcome outcome = run(pool, invocation(action("guest", "large", 1, limits(10_000, 128, 1)),
                params().put("payload", "y".repeat(500))));
        assertThat(outcome.statusCode()).as(describe(outcome)).isEqualTo(ActivationOutcome.APPLICATION_ERROR);
        assertThat(outcome.result().path("error").asText()).startsWith("The action produced a response that exceeded the allowed length:")
                .contains("> 64 bytes");
    }

    @Test
    void closeDestroysEveryContainerAndFailsQueuedWork() throws Exception {
        java.time.Instant testStart = java.time.Instant.now().minusMillis(1);
        ContainerPool pool = pool(InvokerConfig.builder().userMemoryMb(256)
                .prewarm(List.of(new InvokerConfig.Prewarm(TestActions.IMAGE, 128, 1))).build());
        ActionSpec a = action("guest", "a", 1, limits(20_000, 128, 1));
        ActionSpec b = action("guest", "b", 1, limits(20_000, 256, 1));
        long idlePid = pid(run(pool, invocation(a, params())));
        CompletableFuture<ActivationOutcome> busy = pool.invoke(invocation(a, params().put("sleepMs", 20_000)));
        await().atMost(AWAIT).until(() -> pool.stats().busy() == 1 && pool.stats().prewarmed() == 1);
        CompletableFuture<ActivationOutcome> queued = pool.invoke(invocation(b, params()));
        assertThat(pool.stats().queued()).isEqualTo(1);
        List<Long> pids = pool.containerPids();
        assertThat(pids).contains(idlePid).hasSize(2); // the busy one is the idle one, plus the stem cell

        pool.close();
        assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(ActivationOutcome.INTERNAL_ERROR);
        assertThat(busy.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        for (long pid : pids) {
            assertThat(alive(pid)).as("pid %d", pid).isFalse();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(t -> !t.isBefore(testStart)).orElse(true))
                .filter(p -> p.info().commandLine().orElse("").contains("TestAction"))).isEmpty();
        ActivationOutcome after = run(pool, invocation(a, params()));
        assertThat(after.statusCode()).as(describe(after)).isEqualTo(ActivationOutcome.INTERNAL_ERROR);
    }

    @Test
    void manyConcurrentInvocationsStayWithinMemoryAndAllComplete() throws Exception {
        ContainerPool pool = pool(256);
        List<ActionSpec> actions = List.of(action("guest", "s1", 1, limits(20_000, 128, 1)),
                action("guest", "s2", 1, limits(20_000, 128, 1)), action("guest", "s3", 1, limits(20_000, 128, 2)));
        List<CompletableFuture<ActivationOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            futures.add(pool.invoke(invocation(actions.get(i % 3), params().put("sleepMs", 50).put("i", i))));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        while (true) {
            assertThat(pool.stats().memoryInUseMb()).isBetween(0, 256);
            try {
                all.get(5, TimeUnit.MILLISECONDS); // sample the pool while waiting, without spinning a core
                break;
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // sample again
            }
        }
        for (int i = 0; i < futures.size(); i++) {
            ActivationOutcome outcome = futures.get(i).get();
            assertThat(outcome.statusCode()).as(describe(outcome)).isZero();
            assertThat(outcome.result().path("i").asInt()).isEqualTo(i);
        }
        PoolStats stats = pool.stats();
        assertThat(stats.queued()).isZero();
        assertThat(stats.busy()).isZero();
        assertThat(stats.coldStarts() + stats.warmStarts()).isEqualTo(12);
    }

    @Test
    void aWarmContainerThatDiedIsNotReused() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec fragile = action("guest", "fragile", 1, limits(10_000, 128, 1));
        long pid = pid(run(pool, invocation(fragile, params())));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(AWAIT).until(() -> !alive(pid));
        ActivationOutcome next = run(pool, invocation(fragile, params()));
        assertThat(next.statusCode()).as(describe(next)).isZero();
        assertThat(next.containerState()).isEqualTo("cold");
        assertThat(pool.stats().memoryInUseMb()).isEqualTo(128); // the dead one was dropped when the next arrived
    }

    @Test
    void activationsWaitingOnAFailedInitGetItsError() throws Exception {
        ContainerPool pool = pool(512);
        ActionSpec broken = action("guest", "broken2", 1, limits(10_000, 128, 2), "fail-init", TestActions.IMAGE);
        CompletableFuture<ActivationOutcome> first = pool.invoke(invocation(broken, params()));
        CompletableFuture<ActivationOutcome> second = pool.invoke(invocation(broken, params()));
        ActivationOutcome o1 = first.get(30, TimeUnit.SECONDS), o2 = second.get(30, TimeUnit.SECONDS);
        assertThat(o1.statusCode()).as(describe(o1)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(o2.statusCode()).as(describe(o2)).isEqualTo(ActivationOutcome.DEVELOPER_ERROR);
        assertThat(o2.result()).isEqualTo(o1.result());
        assertThat(pool.stats().coldStarts()).isEqualTo(1);
        await().atMost(AWAIT).until(() -> pool.stats().memoryInUseMb() == 0);
    }

    @Test
    void aContainerThatNeverListensIsAFailedStartAndIsKilled() throws Exception {
        ContainerPool pool = pool(InvokerConfig.builder().userMemoryMb(512).startTimeout(Duration.ofMillis(400)).build());
        java.time.Instant testStart = java.time.Instant.now().minusMillis(1);
        ActivationOutcome outcome = run(pool, invocation(action("guest", "mute", 1, limits(1000, 128, 1), "c", "never-listens"),
                params()));
        assertThat(outcome.statusCode()).as(describe(outcome)).isEqualTo(ActivationOutcome.INTERNAL_ERROR);
        assertThat(outcome.result().path("error").asText()).contains("did not listen on its port within 400 ms");
        assertThat(pool.stats().memoryInUseMb()).isZero();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(t -> !t.isBefore(testStart)).orElse(true))
                .filter(p -> p.info().command().orElse("").endsWith("sleep"))).isEmpty();
    }
}
