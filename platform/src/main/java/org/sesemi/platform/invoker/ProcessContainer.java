package org.sesemi.platform.invoker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sesemi.time.SystemTime;

/**
 * One "container": a runtime process listening on a loopback port and speaking the action protocol. This platform has
 * no Docker, so isolation is that of an OS process; memory limits are accounted by the pool, not enforced.
 *
 * <p>Starting waits until the port accepts connections. Output is captured by a {@link LogCollector}. {@link #close()}
 * kills the process and its descendants. Thread-safe: several {@code /run} requests may be in flight at once.
 *
 * <p>Threading: callers are virtual threads. The native spawn runs on the caller's bounded platform-thread
 * {@code spawner}; the output pipes are read by the {@link LogCollector}'s platform threads; waiting for the process
 * to listen, for HTTP answers and for the process to exit are socket or future waits, each with a deadline.
 */
final class ProcessContainer implements AutoCloseable, PoolScheduler.Container {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProcessContainer.class);

    /** A start that failed: the process exited or never listened. */
    static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message);
        }
    }

    /** An HTTP answer from the container; {@code contentLength} is empty when the answer had no Content-Length. */
    record Response(int status, byte[] body, OptionalLong contentLength) {}

    private final Process process;
    private final int port;
    private final ContainerConnections connections;
    private final LogCollector logs;
    private final Runnable remove;
    private final java.util.Optional<ContainerLauncher.Freezer> freezer;

    private ProcessContainer(Process process, int port, LogCollector logs, Runnable remove,
            java.util.Optional<ContainerLauncher.Freezer> freezer) {
        this.process = process;
        this.port = port;
        this.connections = new ContainerConnections(port, SystemTime.ticker());
        this.logs = logs;
        this.remove = remove;
        this.freezer = freezer;
    }

    /** How to pause and resume this container, if its launcher can. */
    java.util.Optional<ContainerLauncher.Freezer> freezer() {
        return freezer;
    }

    /**
     * Starts {@code image} on a free loopback port and waits (up to {@code startTimeout}) until it listens; the spawn
     * itself runs on the calling thread (for tests; the pool passes its platform-thread spawner).
     */
    static ProcessContainer start(ImageRegistry.Image image, Map<String, String> env, Duration startTimeout,
            long maxBufferedLogBytes) throws StartException, InterruptedException {
        return start(image, env, startTimeout, maxBufferedLogBytes, p -> {}, Runnable::run, ContainerLauncher.PROCESSES,
                256);
    }

    /**
     * As above; {@code onSpawn} sees the OS process as soon as it exists, before it listens, so an owner shutting down
     * meanwhile can still kill it (otherwise a process still starting when the platform exits would be orphaned);
     * {@code spawner} runs the blocking native spawn (a bounded pool of platform threads); {@code launcher} decides
     * how the image runs (a local process, or a container engine's container limited to {@code memoryMb}).
     */
    static ProcessContainer start(ImageRegistry.Image image, Map<String, String> env, Duration startTimeout,
            long maxBufferedLogBytes, java.util.function.Consumer<Process> onSpawn, java.util.concurrent.Executor spawner,
            ContainerLauncher launcher, int memoryMb) throws StartException, InterruptedException {
        int port = freePort();
        ContainerLauncher.Launch launch = launcher.launch(image, port, memoryMb, env);
        ProcessBuilder builder = new ProcessBuilder(launch.command());
        Map<String, String> childEnv = builder.environment();
        // The platform's own environment may hold secrets: a container sees only a few harmless variables.
        Map<String, String> parent = Map.copyOf(childEnv);
        childEnv.clear();
        for (String name : List.of("PATH", "HOME", "LANG", "TMPDIR")) {
            if (parent.containsKey(name)) {
                childEnv.put(name, parent.get(name));
            }
        }
        childEnv.putAll(launch.environment());
        Process process;
        try {
            process = spawn(builder, spawner, startTimeout);
        } catch (StartException | InterruptedException e) {
            launch.remove().run();
            throw e;
        }
        onSpawn.accept(process);
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to close
        }
        LogCollector logs = new LogCollector(maxBufferedLogBytes);
        logs.follow(process.getInputStream(), "stdout", "container-" + process.pid());
        logs.follow(process.getErrorStream(), "stderr", "container-" + process.pid());
        ProcessContainer container = new ProcessContainer(process, port, logs, launch.remove(), launch.freezer());
        try {
            container.awaitListening(startTimeout);
        } catch (StartException e) {
            container.close();
            // The runtime's own output explains a failed start; it goes to the operator's log only, not to callers.
            LOG.warn("a container failed to start: {}; its last output: {}", e.getMessage(),
                    logs.collect(200, 8 * 1024));
            throw e;
        } catch (InterruptedException | RuntimeException e) {
            container.close();
            throw e;
        }
        return container;
    }

    private static Process spawn(ProcessBuilder builder, java.util.concurrent.Executor spawner, Duration timeout)
            throws StartException, InterruptedException {
        CompletableFuture<Process> spawned = new CompletableFuture<>();
        try {
            spawner.execute(() -> {
                try {
                    Process started = builder.start();
                    if (!spawned.complete(started)) {
                        started.destroyForcibly(); // the caller gave up waiting: nobody owns this process
                    }
                } catch (IOException | RuntimeException e) {
                    spawned.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new StartException("the invoker is shutting down");
        }
        try {
            return spawned.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new StartException("could not start the container process: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            spawned.cancel(false);
            throw new StartException("the container process was not spawned within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            spawned.cancel(false);
            throw e;
        }
    }

    private void awaitListening(Duration startTimeout) throws StartException, InterruptedException {
        long deadline = SystemTime.ticker().read() + startTimeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new StartException("the container process exited with code " + process.exitValue() + " before listening");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (SystemTime.ticker().read() > deadline) {
                throw new StartException("the container did not listen on its port within " + startTimeout.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws StartException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StartException("no free loopback port: " + e.getMessage());
        }
    }

    /**
     * POSTs {@code body} to {@code path} and reads at most {@code maxBytes} of the answer, all within {@code timeout}, on
     * the calling thread over a kept-alive connection ({@link ContainerConnections}).
     *
     * @throws TimeoutException the container did not answer in time (the caller destroys it)
     * @throws IOException the connection failed or dropped
     */
    Response post(String path, byte[] body, Duration timeout, int maxBytes)
            throws IOException, TimeoutException, InterruptedException {
        return connections.post(path, body, timeout, maxBytes);
    }

    LogCollector logs() {
        return logs;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public boolean pausable() {
        return freezer.isPresent();
    }

    long pid() {
        return process.pid();
    }

    /** Kills the process and everything it started; waits briefly for them to be gone. Idempotent. */
    @Override
    public void close() {
        connections.close();
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            // onExit, not waitFor: a future wait parks a virtual thread instead of holding its carrier on every JDK.
            process.onExit().get(5, TimeUnit.SECONDS);
            for (ProcessHandle child : descendants) {
                child.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Best effort: a process that survives a SIGKILL for 5 s is beyond our reach.
        }
        // A container engine's container outlives its killed client: remove it too.
        remove.run();
    }
}
