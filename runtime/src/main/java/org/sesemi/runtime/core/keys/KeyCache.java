package org.sesemi.runtime.core.keys;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * Released keys per (user, model), bounded in entries, each valid until the {@code expiresAt} the key holder gave.
 *
 * <p>Single-flight: concurrent misses for the same pair wait for one {@link KeySource#release} call. Failures are
 * not cached (the next request asks again), so a fixed grant takes effect at once, while a revoked grant takes
 * effect when the cached entry expires. Entries are treated as expired {@code safetyMargin} before their
 * {@code expiresAt} so a key is never used right at the boundary. When full, expired entries go first, then the ones
 * closest to expiry. Thread-safe; the clock is injected for tests.
 */
public final class KeyCache {
    private record Key(PrincipalId user, ModelId model) {}

    private final KeySource source;
    private final int maxEntries;
    private final Clock clock;
    private final Duration safetyMargin;
    private final Map<Key, CompletableFuture<ReleasedKeys>> entries = new ConcurrentHashMap<>();
    private final AtomicLong fetches = new AtomicLong();

    public KeyCache(KeySource source, int maxEntries, Clock clock, Duration safetyMargin) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        this.source = source;
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.safetyMargin = safetyMargin;
    }

    /** Result of a lookup: the keys and whether this call had to fetch them (a cold key path). */
    public record Lookup(ReleasedKeys keys, boolean fetched) {}

    /**
     * Returns valid keys for the pair, fetching them if absent or expired.
     *
     * @throws KeyDeniedException or {@link KeySourceUnavailableException} as thrown by the source
     */
    public Lookup get(PrincipalId user, ModelId model) {
        Key k = new Key(user, model);
        while (true) {
            CompletableFuture<ReleasedKeys> f = entries.get(k);
            if (f != null) {
                ReleasedKeys r = await(f, k);
                if (r == null) {
                    continue; // the fetch we waited for failed for someone else's request and was removed; retry
                }
                if (valid(r)) {
                    return new Lookup(r, false);
                }
                entries.remove(k, f);
                continue;
            }
            CompletableFuture<ReleasedKeys> mine = new CompletableFuture<>();
            if (entries.putIfAbsent(k, mine) != null) {
                continue;
            }
            makeRoom();
            try {
                fetches.incrementAndGet();
                ReleasedKeys r = source.release(user, model);
                mine.complete(r);
                if (!valid(r)) {
                    entries.remove(k, mine); // already expired on arrival: use once, do not keep
                }
                return new Lookup(r, true);
            } catch (RuntimeException e) {
                entries.remove(k, mine);
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }

    /** Drops the pair's entry, e.g. after its request key failed to open a payload. */
    public void invalidate(PrincipalId user, ModelId model) {
        entries.remove(new Key(user, model));
    }

    /** Number of {@link KeySource#release} calls so far (for tests and metrics). */
    public long fetches() {
        return fetches.get();
    }

    public int size() {
        return entries.size();
    }

    private boolean valid(ReleasedKeys r) {
        return clock.instant().plus(safetyMargin).isBefore(r.expiresAt());
    }

    /** The waiting side of single-flight: the owner's result, or null if the owner failed (caller retries). */
    private ReleasedKeys await(CompletableFuture<ReleasedKeys> f, Key k) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                // Share the owner's failure with everyone who waited for it, instead of a thundering retry.
                throw re;
            }
            throw e;
        }
    }

    private void makeRoom() {
        if (entries.size() <= maxEntries) {
            return;
        }
        entries.entrySet().removeIf(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally() && !valid(e.getValue().join()));
        while (entries.size() > maxEntries) {
            entries.entrySet().stream()
                    .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
                    .min(Comparator.comparing(e -> e.getValue().join().expiresAt()))
                    .ifPresentOrElse(e -> entries.remove(e.getKey(), e.getValue()), () -> {});
            if (entries.values().stream().noneMatch(f -> f.isDone() && !f.isCompletedExceptionally())) {
                break; // only in-flight fetches left; they are bounded by concurrency
            }
        }
    }
}
