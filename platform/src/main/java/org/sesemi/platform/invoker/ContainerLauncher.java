package org.sesemi.platform.invoker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the invoker turns an image into a running container: the OS command that runs it in the foreground (its
 * stdout/stderr are the container's output, its exit is the container's end) listening on a given loopback port, and
 * what to do after that command was killed. {@link #PROCESSES} runs an image's command as a local process;
 * {@link EngineLauncher} runs it with podman or docker.
 *
 * <p>Implementations are thread-safe: the pool launches and removes containers from many threads at once.
 */
public interface ContainerLauncher extends AutoCloseable {
    /**
     * One launch: {@code command} with {@code environment} added to the few harmless variables a container process
     * inherits; {@code remove} runs after the process was killed (and must tolerate a container that is already gone).
     */
    record Launch(List<String> command, Map<String, String> environment, Runnable remove, java.util.Optional<Freezer> freezer) {
        public Launch {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
            java.util.Objects.requireNonNull(freezer, "freezer");
        }

        /** A launch whose container cannot be paused. */
        public Launch(List<String> command, Map<String, String> environment, Runnable remove) {
            this(command, environment, remove, java.util.Optional.empty());
        }
    }

    /**
     * Pauses and resumes a running container (OpenWhisk's {@code suspend}/{@code resume}: {@code docker pause}), keeping
     * its memory, sockets and state. Each returns whether it worked.
     */
    interface Freezer {
        boolean pause();

        boolean resume();
    }

    /**
     * How to run {@code image} so that it listens on {@code port} on loopback within {@code memoryMb} (the action's
     * {@code limits.memory}), with {@code env} (the invoker's per-container variables) set inside the container.
     */
    Launch launch(ImageRegistry.Image image, int port, int memoryMb, Map<String, String> env);

    /** What the platform's start-up line says about where containers run. */
    String describe();

    /** Removes whatever this launcher still has running (called when the pool closes). */
    @Override
    default void close() {}

    /**
     * Containers as local processes (the default, where no container engine exists): the image's command runs as is;
     * memory limits are accounted by the pool, not enforced.
     */
    ContainerLauncher PROCESSES = new ContainerLauncher() {
        @Override
        public Launch launch(ImageRegistry.Image image, int port, int memoryMb, Map<String, String> env) {
            Map<String, String> all = new HashMap<>(image.envFor(port));
            all.putAll(env);
            return new Launch(image.commandFor(port, memoryMb), all, () -> {});
        }

        @Override
        public String describe() {
            return "local processes";
        }
    };
}
