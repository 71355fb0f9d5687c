package org.sesemi.platform.invoker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The images this platform can "pull": each name maps to a command that starts a runtime process speaking the action
 * protocol on a given loopback port. Stands in for a Docker registry, since containers here are plain processes.
 *
 * <p>The command template and environment values may contain {@code {port}}, replaced by the port the invoker chose,
 * and the command {@code {memory}}, replaced by the container's memory in MB (e.g. to size a JVM's heap as a container
 * of that memory would).
 * A blackbox action names its image in {@code exec.image}; other kinds are looked up by their kind name. Immutable.
 */
public final class ImageRegistry {
    /** Placeholder for the container's port in commands and environment values. */
    public static final String PORT = "{port}";
    /** Placeholder for the container's memory limit in MB in commands. */
    public static final String MEMORY = "{memory}";

    /**
     * How to start one image: argv template, extra environment, and whether the runtime writes the activation-end
     * sentinel after each activation (if not, logs are taken as they are after a run, without waiting for it).
     */
    public record Image(List<String> command, Map<String, String> env, boolean sentinelledLogs) {
        /** A runtime that follows the protocol's sentinel rule (all runtimes of this project do). */
        public Image(List<String> command, Map<String, String> env) {
            this(command, env, true);
        }

        public Image {
            command = List.copyOf(command);
            env = Map.copyOf(env);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("an image needs a command");
            }
        }

        /** The argv with {@code {port}} filled in. */
        public List<String> commandFor(int port) {
            return command.stream().map(arg -> arg.replace(PORT, Integer.toString(port))).toList();
        }

        /** The argv with {@code {port}} and {@code {memory}} filled in. */
        public List<String> commandFor(int port, int memoryMb) {
            return commandFor(port).stream().map(arg -> arg.replace(MEMORY, Integer.toString(memoryMb))).toList();
        }

        /** The environment with {@code {port}} filled in. */
        public Map<String, String> envFor(int port) {
            Map<String, String> out = new HashMap<>();
            env.forEach((k, v) -> out.put(k, v.replace(PORT, Integer.toString(port))));
            return out;
        }
    }

    private final Map<String, Image> images;

    private ImageRegistry(Map<String, Image> images) {
        this.images = Map.copyOf(images);
    }

    public static ImageRegistry of(Map<String, Image> images) {
        images.keySet().forEach(name -> Objects.requireNonNull(name, "image name"));
        return new ImageRegistry(images);
    }

    public Optional<Image> lookup(String name) {
        return Optional.ofNullable(images.get(name));
    }

    public boolean contains(String name) {
        return images.containsKey(name);
    }

    /** The registry key of an action: its blackbox image, else its kind. */
    static String imageOf(ActionExec exec) {
        return exec.image().orElse(exec.kind());
    }
}
