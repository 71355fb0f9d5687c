package org.sesemi.runtime.core.keys;

import org.sesemi.runtime.core.ErrorCode;
import org.sesemi.runtime.core.RefusedException;
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
 * <p>Single-flight: concurrent misses for the same pair wait for one {@link KeySource#release} call. A denial is
 * remembered briefly and fetches for pairs never released here are budgeted ({@link KeyFetchLimits}: junk envelopes
 * naming random models or users cannot make the runtime hammer the KeyService, nor starve pairs it has served); other
 * failures are not cached. So a fixed grant takes effect within the denial memory, and a revoked grant when the
 * cached entry expires. Entries are treated as expired {@code safetyMargin} before their
 * {@code expiresAt} so a key is never used right at the boundary. When full, expired entries go first, then the ones
 * closest to expiry. Thread-safe; the clock is injected for tests.
 */
public final class KeyCache implements KeyLookup {
    /** Keys are cached per model key version: a runtime may serve a model file of each version during a rotation. */
    private record Key(PrincipalId user, ModelId model, int version) {}

    private final KeySource source;
    private final int maxEntries;
    private final Clock clock;
    private final Duration safetyMargin;
    private final Map<Key, CompletableFuture<ReleasedKeys>> entries = new ConcurrentHashMap<>();
    private final AtomicLong fetches = new AtomicLong();
    private final FetchGate gate;

    public KeyCache(KeySource source, int maxEntries, Clock clock, Duration safetyMargin) {
        this(source, maxEntries, clock, safetyMargin, KeyFetchLimits.defaults());
    }

    public KeyCache(KeySource source, int maxEntries, Clock clock, Duration safetyMargin, KeyFetchLimits limits) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        this.source = source;
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.safetyMargin = safetyMargin;
        this.gate = new FetchGate(limits, clock);
    }

    /** Result of a lookup: the keys and whether this call had to fetch them (a cold key path). */
    public record Lookup(ReleasedKeys keys, boolean fetched) {}

    /**
     * Returns valid keys for the pair, fetching them if absent or expired.
     *
     * @throws RefusedException {@code denied} as thrown by the source, or remembered from it; {@code unavailable} as thrown
     *     by the source, or ({@code key_fetch_limited}) when the pair was never released here and such fetches are over budget
     */
    public Lookup get(PrincipalId user, ModelId model) {
        return get(user, model, 0);
    }

    /**
     * As {@link #get(PrincipalId, ModelId)} for model key {@code version} (0 = the newest the source has).
     */
    @Override
    public Lookup get(PrincipalId user, ModelId model, int version) {
        Key k = new Key(user, model, version);
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
            if (version != 0) {
                // Keys fetched as "the newest" are keys of a concrete version: a later ask for that version uses them.
                ReleasedKeys newest = completed(entries.get(new Key(user, model, 0)));
                if (newest != null && newest.modelKey().version() == version && valid(newest)) {
                    return new Lookup(newest, false);
                }
            }
            FetchGate.Denial denied = gate.denial(k);
            if (denied != null) {
                throw RefusedException.denied(denied.reason(), "the KeyService refused (" + denied.reason() + "; remembered)");
            }
            CompletableFuture<ReleasedKeys> mine = new CompletableFuture<>();
            if (entries.putIfAbsent(k, mine) != null) {
                continue;
            }
            makeRoom();
            boolean unproven = false;
            try {
                unproven = gate.admit(k);
                fetches.incrementAndGet();
                ReleasedKeys r = source.release(user, model, version);
                gate.released(k);
                mine.complete(r);
                if (version == 0) {
                    gate.released(new Key(user, model, r.modelKey().version())); // the pair is proven for that version too
                }
                if (!valid(r)) {
                    entries.remove(k, mine); // already expired on arrival: use once, do not keep
                }
                return new Lookup(r, true);
            } catch (RuntimeException e) {
                if (e instanceof RefusedException d && d.code() == ErrorCode.DENIED) {
                    gate.denied(k, d.reason());
                }
                entries.remove(k, mine);
                mine.completeExceptionally(e);
                throw e;
            } finally {
                gate.done(unproven);
            }
        }
    }

    /** Number of {@link KeySource#release} calls so far (for tests and metrics). */
    @Override
    public long fetches() {
        return fetches.get();
    }

    /** Requests refused from a remembered denial, without asking the key source again. */
    public long denialHits() {
        return gate.denialHits();
    }

    /** Requests refused because unproven pairs were over their fetch budget. */
    public long fetchesLimited() {
        return gate.limited();
    }

    @Override
    public int size() {
        return entries.size();
    }

    private boolean valid(ReleasedKeys r) {
        return clock.instant().plus(safetyMargin).isBefore(r.expiresAt());
    }

    /** The result of a finished, successful fetch, else null (absent, in flight or failed). */
    private static ReleasedKeys completed(CompletableFuture<ReleasedKeys> f) {
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
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
