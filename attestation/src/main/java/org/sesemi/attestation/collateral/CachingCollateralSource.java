package org.sesemi.attestation.collateral;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.VerificationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collateral per platform (TEE, FMSPC, PCK CA), fetched once and kept until its {@code nextUpdate}.
 *
 * <p>Contract: a lookup for a platform with fresh cached collateral returns it at once and never touches the network.
 * A cached entry becomes <em>due</em> for refresh after {@code refreshEvery} or when three quarters of its remaining
 * lifetime at fetch time have passed, whichever is first; due entries are refreshed on the background thread (every
 * {@code checkEvery}, and as soon as a lookup sees one due). Only the first lookup of a platform, or a lookup after its
 * collateral went stale, fetches on the caller's thread (concurrent callers for the same platform share one fetch).
 *
 * <p>Fetched collateral is admitted only when its signers chain to one of the trust anchors and it is current
 * ({@link CollateralSigners}); a failed refresh (network, HTTP status, parse, wrong signer, expired) is logged, counted
 * in {@link #stats()}, and leaves the cached collateral in place until its own {@code nextUpdate}. After that, lookups
 * fail closed with {@code collateral_unavailable}. Thread-safe; {@link #close()} stops the refresh thread.
 */
public final class CachingCollateralSource implements ManagedCollateralSource {
    private static final Logger LOG = LoggerFactory.getLogger(CachingCollateralSource.class);
    /** After a failed refresh, the next attempt for that platform waits this long. */
    static final Duration RETRY = Duration.ofMinutes(1);

    private record Key(TeeType tee, String fmspc, String pckCa) {
        @Override
        public String toString() {
            return tee.label() + " FMSPC " + fmspc + " (" + pckCa + " CA)";
        }
    }

    private record Entry(Collateral collateral, Instant fetched, Instant refreshAt) {}

    private final String name;
    private final CollateralFetcher fetcher;
    private final List<PublicKey> anchors;
    private final Clock clock;
    private final Duration refreshEvery;
    private final Map<Key, Entry> cache = new ConcurrentHashMap<>();
    private final Map<Key, Object> fetchLocks = new ConcurrentHashMap<>();
    private final Set<Key> refreshing = ConcurrentHashMap.newKeySet();
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private final ScheduledExecutorService refresher;

    /**
     * @param name the setting this source came from (for logs and metrics)
     * @param anchors trust roots the collateral's signers must chain to
     * @param refreshEvery refresh at least this often even when {@code nextUpdate} is far (Intel can publish a new
     *     TCB info before it, e.g. at a TCB recovery)
     * @param checkEvery how often the background thread looks for due entries; {@link Duration#ZERO} = no background
     *     thread (tests drive {@link #refreshDue()} with their own clock)
     */
    public CachingCollateralSource(String name, CollateralFetcher fetcher, List<PublicKey> anchors, Clock clock,
            Duration refreshEvery, Duration checkEvery) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("a collateral cache needs at least one trust anchor");
        }
        this.name = name;
        this.fetcher = fetcher;
        this.anchors = List.copyOf(anchors);
        this.clock = clock;
        this.refreshEvery = refreshEvery;
        if (checkEvery.isZero()) {
            this.refresher = null;
        } else {
            this.refresher = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("collateral-refresh").daemon(true).factory());
            long ms = checkEvery.toMillis();
            refresher.scheduleWithFixedDelay(this::refreshDueQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Optional<Collateral> collateralFor(TeeType tee, String fmspcHex) {
        return collateralFor(tee, fmspcHex, "processor");
    }

    @Override
    public Optional<Collateral> collateralFor(TeeType tee, String fmspcHex, String pckCa) {
        Key key = new Key(tee, fmspcHex.toLowerCase(Locale.ROOT), pckCa);
        Instant now = clock.instant();
        Entry e = cache.get(key);
        if (e != null && fresh(e, now)) {
            if (!now.isBefore(e.refreshAt())) {
                scheduleRefresh(key);
            }
            return Optional.of(e.collateral());
        }
        synchronized (fetchLocks.computeIfAbsent(key, k -> new Object())) {
            e = cache.get(key);
            now = clock.instant();
            if (e != null && fresh(e, now)) {
                return Optional.of(e.collateral());
            }
            try {
                return Optional.of(fetchAndStore(key).collateral());
            } catch (AttestationException failure) {
                throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "no current collateral for " + key + " from "
                        + name + (e == null ? "" : " (cached collateral went stale at " + e.collateral().nextUpdate() + ")")
                        + ": [" + failure.code() + "] " + failure.getMessage());
            }
        }
    }

    /** Refreshes every entry that is due now; returns how many refreshes failed. Called by the background thread. */
    public int refreshDue() {
        Instant now = clock.instant();
        int failed = 0;
        for (Map.Entry<Key, Entry> e : cache.entrySet()) {
            if (!now.isBefore(e.getValue().refreshAt())) {
                try {
                    fetchAndStore(e.getKey());
                } catch (AttestationException ignored) {
                    failed++;
                }
            }
        }
        return failed;
    }

    @Override
    public CollateralStats stats() {
        Optional<Instant> earliest = cache.values().stream().map(e -> e.collateral().nextUpdate()).min(Instant::compareTo);
        return new CollateralStats(name, fetches.get(), failures.get(), cache.size(), earliest,
                Optional.ofNullable(lastFailure.get()));
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    private static boolean fresh(Entry e, Instant now) {
        return !now.isAfter(e.collateral().nextUpdate()) && !now.isBefore(e.collateral().issueDate());
    }

    private Entry fetchAndStore(Key key) {
        try {
            Collateral c = fetcher.fetch(key.tee(), key.fmspc(), key.pckCa());
            Instant now = clock.instant();
            CollateralSigners.check(c, anchors, now);
            Duration remaining = Duration.between(now, c.nextUpdate());
            Instant byLifetime = now.plus(remaining.multipliedBy(3).dividedBy(4));
            Instant byInterval = now.plus(refreshEvery);
            Entry e = new Entry(c, now, byLifetime.isBefore(byInterval) ? byLifetime : byInterval);
            cache.put(key, e);
            fetches.incrementAndGet();
            LOG.info("collateral for {} from {}: valid until {}, next refresh at {}", key, name, c.nextUpdate(), e.refreshAt());
            return e;
        } catch (AttestationException failure) {
            failures.incrementAndGet();
            String msg = "fetching collateral for " + key + " from " + name + " failed [" + failure.code() + "]: "
                    + failure.getMessage();
            lastFailure.set(msg);
            Entry old = cache.get(key);
            if (old != null) {
                // Back off: retry after RETRY, not on every lookup, while the cached collateral stays in use.
                cache.put(key, new Entry(old.collateral(), old.fetched(), clock.instant().plus(RETRY)));
            }
            LOG.warn("{}{}", msg, old == null ? "" : "; keeping the cached collateral (valid until "
                    + old.collateral().nextUpdate() + ")");
            throw failure;
        }
    }

    private void scheduleRefresh(Key key) {
        if (refresher == null || !refreshing.add(key)) {
            return;
        }
        try {
            refresher.execute(() -> {
                try {
                    fetchAndStore(key);
                } catch (AttestationException ignored) {
                    // counted and logged in fetchAndStore
                } finally {
                    refreshing.remove(key);
                }
            });
        } catch (RejectedExecutionException closed) {
            refreshing.remove(key);
        }
    }

    private void refreshDueQuietly() {
        try {
            refreshDue();
        } catch (RuntimeException e) {
            LOG.error("collateral refresh failed unexpectedly: {}", e.toString());
        }
    }
}
