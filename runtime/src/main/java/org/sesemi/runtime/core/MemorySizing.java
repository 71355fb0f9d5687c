package org.sesemi.runtime.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Sizes the model cache to the memory the runtime was given, so that a runtime in a 256 MB OpenWhisk container does
 * not plan for 512 MiB of models (and get OOM-killed, losing its keys and models) while one given 4 GB uses it. The
 * memory comes from, in order: {@value RuntimeSettings#MODEL_BUDGET} (an explicit budget wins); the action's
 * {@code limits.memory}, passed as init parameter {@value RuntimeSettings#ACTION_MEMORY} (MB; FnPacker sets it); the
 * container's cgroup limit ({@code memory.max} of cgroup v2, {@code memory.limit_in_bytes} of v1); else the
 * default 512 MiB. From a memory limit the budget is the limit minus {@link #RESERVE} (the JVM, ONNX Runtime and the
 * requests in flight), and never below a quarter of the limit.
 */
public final class MemorySizing {
    /** What the runtime itself needs besides its model cache. */
    public static final long RESERVE = 192L << 20;
    /** The budget when nothing says how much memory there is. */
    public static final long DEFAULT_BUDGET = 512L << 20;
    /** A cgroup v1 "limit" this large means none (the kernel prints about 2^63 rounded to pages). */
    private static final long UNLIMITED = 1L << 50;

    private MemorySizing() {}

    /** The model budget from {@code settings} and the cgroup limit found under {@code cgroupRoot}. */
    public static long modelBudget(Map<String, String> settings, Path cgroupRoot) {
        String explicit = settings.get(RuntimeSettings.MODEL_BUDGET);
        if (explicit != null && !explicit.isBlank()) {
            return RuntimeSettings.bytes(explicit, RuntimeSettings.MODEL_BUDGET);
        }
        OptionalLong limit = actionMemory(settings);
        if (limit.isEmpty()) {
            limit = cgroupLimit(cgroupRoot);
        }
        return limit.isPresent() ? budgetFor(limit.getAsLong()) : DEFAULT_BUDGET;
    }

    /** The budget for a memory limit of {@code bytes}. */
    public static long budgetFor(long bytes) {
        return Math.max(bytes - RESERVE, bytes / 4);
    }

    private static OptionalLong actionMemory(Map<String, String> settings) {
        String v = settings.get(RuntimeSettings.ACTION_MEMORY);
        if (v == null || v.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            long mb = Long.parseLong(v.trim());
            if (mb < 1 || mb > (1L << 30)) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(mb << 20);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RuntimeSettings.ACTION_MEMORY + " must be the action's memory limit in MB, got '" + v + "'");
        }
    }

    /** The memory limit of the cgroup mounted at {@code root} (usually {@code /sys/fs/cgroup}); empty if none. */
    static OptionalLong cgroupLimit(Path root) {
        for (Path file : new Path[] {root.resolve("memory.max"), root.resolve("memory").resolve("memory.limit_in_bytes")}) {
            try {
                String v = Files.readString(file).trim();
                if (v.equals("max")) {
                    return OptionalLong.empty();
                }
                long n = Long.parseLong(v);
                return n > 0 && n < UNLIMITED ? OptionalLong.of(n) : OptionalLong.empty();
            } catch (IOException | NumberFormatException | SecurityException e) {
                // not this cgroup version, or not readable: try the next
            }
        }
        return OptionalLong.empty();
    }
}
