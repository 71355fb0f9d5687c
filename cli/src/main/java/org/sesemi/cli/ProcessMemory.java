package org.sesemi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resident memory of the runtime processes the embedded platform starts (its "containers"), read from
 * {@code /proc/<pid>/status}: {@code VmRSS} (resident now) and {@code VmHWM} (the resident peak since the process
 * started). Linux only; elsewhere every reading is empty.
 */
final class ProcessMemory {
    private ProcessMemory() {}

    /** Pids of this process's descendants whose command line contains {@code marker} (e.g. {@code "runtime serve"}). */
    static Set<Long> children(String marker) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** The one process in {@code after} that is not in {@code before}; empty if none or several. */
    static java.util.Optional<Long> newOne(Set<Long> before, Set<Long> after) {
        List<Long> fresh = after.stream().filter(p -> !before.contains(p)).toList();
        return fresh.size() == 1 ? java.util.Optional.of(fresh.getFirst()) : java.util.Optional.empty();
    }

    /** {@code VmRSS} of {@code pid} in MB (MiB), if readable. */
    static OptionalDouble rssMb(long pid) {
        return field(pid, "VmRSS:");
    }

    /** {@code VmHWM} (peak resident) of {@code pid} in MB (MiB), if readable. */
    static OptionalDouble peakMb(long pid) {
        return field(pid, "VmHWM:");
    }

    static OptionalDouble field(long pid, String name) {
        try {
            return parse(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")), name);
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    /** The {@code kB} value of line {@code name} in a {@code /proc/<pid>/status} text, in MiB. */
    static OptionalDouble parse(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) {
                    return OptionalDouble.of(Long.parseLong(parts[0]) / 1024.0);
                }
            }
        }
        return OptionalDouble.empty();
    }
}
