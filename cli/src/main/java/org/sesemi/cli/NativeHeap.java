package org.sesemi.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The C allocator setting every runtime process starts with. glibc's malloc raises its mmap threshold each time a large
 * block is freed, so after one large request (MiniLM 8 × 512 tokens: a few hundred MiB of ONNX Runtime tensors) later
 * large blocks come from the heap arenas, and freed heap memory in the middle of an arena stays resident: a runtime kept
 * 60-70 % of such a request's growth. A fixed threshold ({@code MALLOC_MMAP_THRESHOLD_}, read by glibc when the process
 * starts) turns the dynamic adjustment off: blocks of 1 MiB and more are mapped on their own and unmapped when freed,
 * so resident memory returns to its baseline (measurements: docs/operations.md, "Runtime memory"). Other C libraries
 * ignore the variable.
 */
final class NativeHeap {
    /** glibc's tunable (with the trailing underscore), in bytes. */
    static final String MMAP_THRESHOLD = "MALLOC_MMAP_THRESHOLD_";
    /** 1 MiB: small tensors (one sentence) stay in the arenas, the large ones of a big request are unmapped when freed. */
    static final String DEFAULT_MMAP_THRESHOLD = "1048576";

    private NativeHeap() {}

    /** The value a child runtime gets: the operator's own setting when this process has one, else the default. */
    static String mmapThreshold(Map<String, String> environment) {
        return Optional.ofNullable(environment.get(MMAP_THRESHOLD)).filter(v -> !v.isBlank()).orElse(DEFAULT_MMAP_THRESHOLD);
    }

    /** A note for a runtime started without the setting on Linux (glibc reads it only at process start), else empty. */
    static Optional<String> missingSettingNote(Map<String, String> environment, String osName) {
        if (!osName.toLowerCase(Locale.ROOT).contains("linux") || environment.containsKey(MMAP_THRESHOLD)) {
            return Optional.empty();
        }
        return Optional.of("note: " + MMAP_THRESHOLD + " is not set, so resident memory may stay near the peak of the largest request"
                + " (bin/sesemi and the images set " + DEFAULT_MMAP_THRESHOLD + "; docs/operations.md, \"Runtime memory\")");
    }
}
