package org.sesemi.platform.invoker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers run by a container engine (podman or docker), the way OpenWhisk's Docker container factory runs action
 * images: {@code <engine> run --rm} in the foreground with the action's memory limit ({@code --memory}, no extra
 * swap), the invoker's variables passed by name ({@code --env NAME}: values stay out of the argument list, which
 * other users can read), the host's network (the container listens on the loopback port the invoker chose, as the
 * process backend's runtimes do), and {@code <engine> rm -f} after the run was killed.
 *
 * <p>With this launcher an image's {@code command} is the engine's image reference followed by the container's
 * arguments (given to its entry point); {@code {port}} may appear in both. Containers are named
 * {@code sesemi-<pid>-<n>} and labelled {@code org.sesemi.invoker=<pid>}; {@link #close()} removes those still
 * present. Thread-safe.
 */
public final class EngineLauncher implements ContainerLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLauncher.class);
    /** Variables the engine's own client may need (rootless podman, remote docker), passed through to it. */
    private static final List<String> ENGINE_ENV = List.of("XDG_RUNTIME_DIR", "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF",
            "CONTAINER_HOST", "DOCKER_HOST", "DOCKER_CONFIG");

    private final String engine;
    private final List<String> runOptions;
    private final Map<String, String> containerEnv;
    private final String prefix = "sesemi-" + ProcessHandle.current().pid() + "-";
    private final AtomicLong counter = new AtomicLong();
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    /**
     * @param engine {@code podman} or {@code docker} (or a path to one of them)
     * @param mounts host directories mounted read-write at the same path (init parameters such as a model store or a
     *     simulated TEE's directory name host paths)
     * @param user {@code uid:gid} the containers run as, or empty for the image's own user
     * @param containerEnv variables set in every container (after the image's, before the invoker's)
     */
    public EngineLauncher(String engine, List<Path> mounts, String user, Map<String, String> containerEnv) {
        this.engine = Objects.requireNonNull(engine, "engine");
        List<String> options = new ArrayList<>(List.of("--network", "host", "--label", "org.sesemi.invoker=" + ProcessHandle.current().pid()));
        for (Path mount : mounts) {
            Path abs = mount.toAbsolutePath().normalize();
            if (abs.toString().contains(":") || abs.toString().contains(",")) {
                throw new IllegalArgumentException("cannot mount a path containing ':' or ',': " + abs);
            }
            options.addAll(List.of("--volume", abs + ":" + abs));
        }
        if (!user.isEmpty()) {
            options.addAll(List.of("--user", user));
        }
        this.runOptions = List.copyOf(options);
        this.containerEnv = Map.copyOf(containerEnv);
    }

    /** The engine's name as the user knows it ({@code podman} or {@code docker}). */
    public String engine() {
        return engine;
    }

    @Override
    public Launch launch(ImageRegistry.Image image, int port, int memoryMb, Map<String, String> env) {
        String name = prefix + counter.incrementAndGet();
        List<String> argv = image.commandFor(port, memoryMb);
        Map<String, String> inside = new HashMap<>(containerEnv);
        inside.putAll(image.envFor(port));
        inside.putAll(env);
        List<String> command = new ArrayList<>(List.of(engine, "run", "--rm", "--name", name, "--memory", memoryMb + "m",
                "--memory-swap", memoryMb + "m"));
        command.addAll(runOptions);
        inside.keySet().stream().sorted().forEach(k -> command.addAll(List.of("--env", k)));
        command.addAll(argv); // image reference, then the entry point's arguments
        Map<String, String> environment = new HashMap<>(inside);
        for (String k : ENGINE_ENV) {
            String v = System.getenv(k);
            if (v != null) {
                environment.putIfAbsent(k, v);
            }
        }
        live.add(name);
        Freezer freezer = new Freezer() {
            @Override
            public boolean pause() {
                return run(List.of(engine, "pause", name));
            }

            @Override
            public boolean resume() {
                return run(List.of(engine, "unpause", name));
            }
        };
        return new Launch(command, environment, () -> remove(name), java.util.Optional.of(freezer));
    }

    private void remove(String name) {
        if (!live.remove(name)) {
            return;
        }
        run(List.of(engine, "rm", "--force", name));
    }

    /** Runs an engine command to completion (at most 60 s); failures are logged, not thrown. True if it succeeded. */
    private boolean run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("'{}' did not finish within 60 s", String.join(" ", command));
                return false;
            } else if (p.exitValue() != 0 && !new String(out, java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("no such container")) {
                LOG.warn("'{}' failed ({}): {}", String.join(" ", command), p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8).strip());
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            LOG.warn("'{}' failed: {}", String.join(" ", command), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String describe() {
        return engine + " containers (--network host, memory limit = the action's limits.memory)";
    }

    @Override
    public void close() {
        List<String> names = List.copyOf(live);
        live.removeAll(names);
        if (!names.isEmpty()) {
            List<String> command = new ArrayList<>(List.of(engine, "rm", "--force"));
            command.addAll(names);
            run(command);
        }
    }

    /**
     * Checks that {@code engine} answers and has {@code image}; returns an explanation of what is wrong, or empty.
     */
    public static java.util.Optional<String> problem(String engine, String image) {
        try {
            Process info = new ProcessBuilder(engine, "image", "inspect", "--format", "{{.Id}}", image).redirectErrorStream(true).start();
            info.getOutputStream().close();
            String out = new String(info.getInputStream().readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!info.waitFor(120, TimeUnit.SECONDS)) {
                info.destroyForcibly();
                return java.util.Optional.of(engine + " did not answer within 120 s");
            }
            if (info.exitValue() != 0) {
                return java.util.Optional.of(engine + " has no image " + image + " (" + out.lines().reduce((a, b) -> b).orElse("") + ")");
            }
            return java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.of(engine + " cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.of("interrupted");
        }
    }

    /** The value of an image's label, or empty (no such label, or the engine failed). */
    public static java.util.Optional<String> label(String engine, String image, String label) {
        try {
            Process p = new ProcessBuilder(engine, "image", "inspect", "--format", "{{index .Config.Labels \"" + label + "\"}}", image)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty() || out.equals("<no value>")) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(out);
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }
}
