package org.sesemi.keyservice.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.keyservice.store.KeyStore.AuditEntry;

/**
 * Aggregates the audit of repeated release denials, so that a flood of refused requests writes one row per window
 * instead of one per request: the first denial of a kind in a window is audited at once as usual; identical ones
 * that follow within {@code window} are only counted, and when the window is over one summary row
 * ({@code event = "release_denied_repeats"}, {@code reason = "<code>;count=<n>;window_s=<s>"}) records how many there
 * were. Denials of an unknown model are one kind per (runtime, user, reason) whatever the (junk) model id, so random
 * model ids naming a victim user cost that user's audit log one row per window, not one per request.
 *
 * <p>Counts not yet written are lost if the process dies (the first denial of each window is always written). At most
 * {@code maxKinds} kinds are tracked; beyond that the oldest windows are closed early. Thread-safe.
 */
public final class DenialAudit {
    /** What makes two denials the same kind. */
    private record Kind(String actor, Optional<?> model, Optional<?> user, Optional<?> measurement, String reason) {}

    private static final class Window {
        final AuditEntry first;
        final Instant start;
        long repeats;

        Window(AuditEntry first, Instant start) {
            this.first = first;
            this.start = start;
        }
    }

    private final Clock clock;
    private final Duration window;
    private final int maxKinds;
    private final LinkedHashMap<Kind, Window> open = new LinkedHashMap<>();

    public DenialAudit(Clock clock, Duration window, int maxKinds) {
        if (window.isNegative() || maxKinds < 1) {
            throw new IllegalArgumentException("window >= 0 and maxKinds >= 1 required");
        }
        this.clock = clock;
        this.window = window;
        this.maxKinds = maxKinds;
    }

    /**
     * Decides about one denied release: returns the rows to append now, in order (the denial itself when it opens a
     * window, preceded by summaries of windows that are over), or an empty list when it was only counted.
     */
    public synchronized List<AuditEntry> denied(AuditEntry e) {
        Objects.requireNonNull(e.reason().orElse(null), "a denial has a reason");
        List<AuditEntry> out = new ArrayList<>(closeExpired());
        if (window.isZero()) {
            out.add(e);
            return out;
        }
        boolean unknownModel = e.reason().get().equals("unknown_model");
        Kind k = new Kind(e.actor(), unknownModel ? Optional.empty() : e.model(), e.user(), e.measurement(), e.reason().get());
        Window w = open.get(k);
        if (w != null) {
            w.repeats++;
            return out;
        }
        while (open.size() >= maxKinds) {
            Iterator<Map.Entry<Kind, Window>> it = open.entrySet().iterator();
            summary(it.next().getValue()).ifPresent(out::add);
            it.remove();
        }
        open.put(k, new Window(e, clock.instant()));
        out.add(e);
        return out;
    }

    /** Summaries of windows that are over (for a periodic flush), or of all open windows ({@code all}, at close). */
    public synchronized List<AuditEntry> flush(boolean all) {
        if (!all) {
            return closeExpired();
        }
        List<AuditEntry> out = new ArrayList<>();
        open.values().forEach(w -> summary(w).ifPresent(out::add));
        open.clear();
        return out;
    }

    private List<AuditEntry> closeExpired() {
        List<AuditEntry> out = new ArrayList<>();
        Instant now = clock.instant();
        // Insertion order = start order, so the expired windows are a prefix.
        for (Iterator<Window> it = open.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (now.isBefore(w.start.plus(window))) {
                break;
            }
            summary(w).ifPresent(out::add);
            it.remove();
        }
        return out;
    }

    private Optional<AuditEntry> summary(Window w) {
        if (w.repeats == 0) {
            return Optional.empty();
        }
        AuditEntry f = w.first;
        return Optional.of(new AuditEntry("release_denied_repeats", f.actor(), f.model(), f.user(), f.measurement(), false,
                Optional.of(f.reason().orElseThrow() + ";count=" + w.repeats + ";window_s=" + window.toSeconds())));
    }
}
