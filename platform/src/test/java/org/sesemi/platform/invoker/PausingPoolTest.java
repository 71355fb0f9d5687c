package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sesemi.platform.invoker.TestActions.action;
import static org.sesemi.platform.invoker.TestActions.invocation;
import static org.sesemi.platform.invoker.TestActions.limits;
import static org.sesemi.platform.invoker.TestActions.params;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pause and resume of idle containers (OpenWhisk's {@code pause-grace}) with a launcher that freezes the TestAction
 * process for real ({@code SIGSTOP}/{@code SIGCONT}, what the freezer cgroup does for {@code podman pause}): a frozen
 * container cannot answer, so an activation only succeeds if the pool resumed it first.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PausingPoolTest {
    private static final Duration AWAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<ContainerPool> pools = new ArrayList<>();
    private final AtomicInteger pauses = new AtomicInteger();
    private final AtomicInteger resumes = new AtomicInteger();

    @AfterEach
    void close() {
        pools.forEach(ContainerPool::close);
    }

    /** Runs the image's command under a shell that records its pid, and freezes it with signals. */
    private ContainerLauncher freezingLauncher() {
        AtomicInteger n = new AtomicInteger();
        return new ContainerLauncher() {
            @Override
            public Launch launch(ImageRegistry.Image image, int port, int memoryMb, Map<String, String> env) {
                Path pidFile = dir.resolve("pid-" + n.incrementAndGet());
                List<String> command = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\"; exec \"$@\"", pidFile.toString()));
                command.addAll(image.commandFor(port));
                Map<String, String> all = new HashMap<>(image.envFor(port));
                all.putAll(env);
                Freezer freezer = new Freezer() {
                    @Override
                    public boolean pause() {
                        pauses.incrementAndGet();
                        return signal("-STOP", pidFile);
                    }

                    @Override
                    public boolean resume() {
                        resumes.incrementAndGet();
                        return signal("-CONT", pidFile);
                    }
                };
                return new Launch(command, all, () -> {}, Optional.of(freezer));
            }

            @Override
            public String describe() {
                return "freezable test processes";
            }
        };
    }

    private static boolean signal(String signal, Path pidFile) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Files.readString(pidFile).strip()).start();
            return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The process state letter in /proc ('T' = stopped). */
    private static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    @Test
    void anIdleContainerIsPausedAndResumedForTheNextActivation() throws Exception {
        ContainerPool pool = new ContainerPool(InvokerConfig.builder().userMemoryMb(512).pauseGrace(Duration.ofMillis(300)).build(),
                TestActions.registry(), freezingLauncher());
        pools.add(pool);
        ActionSpec echo = action("guest", "pausing", 1, limits(20_000, 128, 1));
        ActivationOutcome first = pool.invoke(invocation(echo, params())).get(60, TimeUnit.SECONDS);
        assertThat(first.statusCode()).as(first.result().toString()).isZero();
        long pid = first.result().path("_context").path("pid").asLong();

        await().atMost(AWAIT).until(() -> pauses.get() == 1 && state(pid) == 'T');
        ActivationOutcome resumed = pool.invoke(invocation(echo, params())).get(60, TimeUnit.SECONDS);
        assertThat(resumed.statusCode()).as(resumed.result().toString()).isZero();
        assertThat(resumed.containerState()).isEqualTo("warm");
        assertThat(resumed.result().path("_context").path("pid").asLong()).isEqualTo(pid);
        assertThat(resumes.get()).isEqualTo(1);
        assertThat(pool.stats().coldStarts()).isEqualTo(1);

        // paused again once idle; closing the pool removes a paused container too
        await().atMost(AWAIT).until(() -> pauses.get() == 2 && state(pid) == 'T');
        pool.close();
        await().atMost(AWAIT).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void localProcessesAreNeverPaused() throws Exception {
        ContainerPool pool = new ContainerPool(InvokerConfig.builder().userMemoryMb(512).pauseGrace(Duration.ofMillis(100)).build(),
                TestActions.registry());
        pools.add(pool);
        ActionSpec echo = action("guest", "unpaused", 1, limits(20_000, 128, 1));
        ActivationOutcome first = pool.invoke(invocation(echo, params())).get(60, TimeUnit.SECONDS);
        long pid = first.result().path("_context").path("pid").asLong();
        Thread.sleep(1_000); // ten pause graces; nothing may happen
        assertThat(state(pid)).isNotEqualTo('T');
        assertThat(pool.invoke(invocation(echo, params())).get(60, TimeUnit.SECONDS).statusCode()).isZero();
    }
}
