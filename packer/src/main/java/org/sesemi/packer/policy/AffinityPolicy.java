package org.sesemi.packer.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.time.Ticker;

/**
 * Our packing rule: keep each model where it is already loaded, and when a model must move, evict the model least
 * likely to be missed. It differs from {@link PaperPolicy} in three ways, each aimed at a cost the paper's rule pays:
 * the paper steals the <em>first</em> free instance, so a popular model is reloaded whenever another model got its
 * instance in between; it picks victims by index, not by how soon they come back; and it fails with "All Busy"
 * where a short wait would do.
 *
 * <p>The policy keeps a belief of each instance's cache (LRU of {@link PolicyConfig#cacheSlots()} models, as the
 * runtime evicts), its requests in flight, and whether its container is still alive (it used the instance less
 * than {@link PolicyConfig#keepAlive()} ago). Per model it keeps its arrival count, the last arrival, an
 * exponentially weighted mean interarrival time and mean execution time. A request of model M at time t:
 * <ol>
 *   <li><b>Affinity.</b> If some live instance holds M and has a free slot (fewer than
 *       {@link PolicyConfig#capacity()} in flight), route there — the least loaded, lowest index first. An instance
 *       already serving M thus absorbs M's concurrency up to its capacity, with no model load.</li>
 *   <li><b>Cheapest steal.</b> Otherwise every instance with a free slot whose eviction victim (its LRU model, none
 *       if the cache has room) has nothing in flight there is a candidate, costed as
 *       <pre>  cold start (if its container is believed gone) + switch cost of M + switch cost × H / gap(victim)</pre>
 *       H / gap being how often the victim is expected back within the horizon H = {@link
 *       #RETURN_HORIZON_NANOS}, each return a reload as long as it keeps losing its place. The victim's gap is the
 *       larger of the time since its last arrival and its typical gap (the smaller of its moving-average
 *       interarrival and the observed time per arrival). So an empty warm slot is best, a victim idle far longer
 *       than its usual gap or rarely used is cheap, and a popular one dear — dearer than starting an idle container
 *       of the pool once it comes back more often than about every H × switch / cold start (≈ 0.8 s with the
 *       defaults): then a cold start now beats reloading it over and over. Ties go to the instance idle longest,
 *       then to the lowest index.</li>
 *   <li><b>Wait or steal.</b> If M is loaded on a live instance that is full, waiting for it is expected to take
 *       M's mean execution time × (requests of M already queued + 1) / (such instances × capacity). The request
 *       waits when that is less than the cheapest candidate's cost, and steals otherwise.</li>
 *   <li><b>Queue.</b> With no candidate, the request is queued with the deadline t + {@link
 *       PolicyConfig#queueTimeout()} instead of failing; only a full queue ({@link PolicyConfig#maxQueued()})
 *       rejects. Each completion first routes queued requests whose model a free slot already holds (so the head of
 *       the queue cannot evict the model the requests behind it wait for), then re-runs steps 1–3 for the rest in
 *       FIFO order.</li>
 * </ol>
 * It never routes more than {@code capacity} requests to an instance, and never evicts a model with requests in
 * flight on that instance.
 *
 * <p>Thread-safe: every public method is synchronized.
 */
public final class AffinityPolicy implements PackingPolicy {
    public static final String NAME = "affinity";
    public static final String QUEUE_FULL = "queue full";
    /** How far ahead a victim's expected returns count against evicting it. */
    public static final long RETURN_HORIZON_NANOS = 10_000_000_000L;
    /** Weight of the newest sample in the per-model moving averages. */
    private static final double EWMA = 0.2;

    private final PolicyConfig config;
    private final Ticker clock;
    private final Instance[] instances;
    private final Map<String, ModelStats> models = new HashMap<>();
    private final RequestQueue queue;
    private long offered, routed, queued, rejected, switches, completed;
    private int freeSlots;
    private long firstOffer;

    private static final class Instance {
        final int index;
        /** Believed cache, least recently used first. */
        final LinkedHashMap<String, Boolean> cache = new LinkedHashMap<>(4, 0.75f, true);
        final Map<String, Integer> inFlightByModel = new HashMap<>();
        int inFlight;
        boolean started;
        long lastActive;

        Instance(int index) {
            this.index = index;
        }
    }

    private static final class ModelStats {
        long arrivals;
        long lastArrival;
        double meanGap = Double.NaN;
        double meanExec = Double.NaN;
    }

    private record Candidate(Instance instance, double cost, Optional<String> victim) {}

    public AffinityPolicy(PolicyConfig config, Ticker clock) {
        this.config = config;
        this.clock = clock;
        this.instances = new Instance[config.poolSize()];
        for (int i = 0; i < instances.length; i++) {
            instances[i] = new Instance(i);
        }
        this.queue = new RequestQueue(config.maxQueued());
        this.freeSlots = config.poolSize() * config.capacity();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized Decision offer(long requestId, String model) {
        Objects.requireNonNull(model, "model");
        offered++;
        long now = clock.read();
        if (offered == 1) {
            firstOffer = now;
        }
        ModelStats s = models.get(model);
        if (s == null) {
            s = new ModelStats();
            models.put(model, s);
        } else {
            double gap = now - s.lastArrival;
            s.meanGap = Double.isNaN(s.meanGap) ? gap : (1 - EWMA) * s.meanGap + EWMA * gap;
        }
        s.lastArrival = now;
        s.arrivals++;
        Optional<Decision.Route> r = place(requestId, model, now, queue.queuedFor(model));
        if (r.isPresent()) {
            return r.get();
        }
        if (queue.full()) {
            rejected++;
            return new Decision.Rejected(requestId, model, QUEUE_FULL);
        }
        queued++;
        return queue.add(requestId, model, now + config.queueTimeout().toNanos());
    }

    /** Steps 1–3 of the rule; empty means wait. */
    private Optional<Decision.Route> place(long requestId, String model, long now, int sameModelAhead) {
        if (freeSlots == 0) {
            return Optional.empty();
        }
        Instance holder = freeHolder(model, now);
        if (holder != null) {
            return Optional.of(route(requestId, model, holder, now, false, Optional.empty()));
        }
        // No holder has a free slot; count the full ones, whose slots M could wait for.
        int fullHolders = 0;
        for (Instance in : instances) {
            if (alive(in, now) && in.cache.containsKey(model)) {
                fullHolders++;
            }
        }
        Candidate best = null;
        for (Instance in : instances) {
            Candidate c = candidate(in, model, now);
            if (c != null && (best == null || better(c, best))) {
                best = c;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        if (fullHolders > 0) {
            double exec = execEstimate(model);
            double wait = exec * (sameModelAhead + 1) / ((double) fullHolders * config.capacity());
            if (wait < best.cost()) {
                return Optional.empty();
            }
        }
        return Optional.of(route(requestId, model, best.instance(), now, true, best.victim()));
    }

    /** The least loaded live instance holding {@code model} with a free slot, lowest index first; or null. */
    private Instance freeHolder(String model, long now) {
        Instance holder = null;
        for (Instance in : instances) {
            if (in.inFlight < config.capacity() && alive(in, now) && in.cache.containsKey(model)
                    && (holder == null || in.inFlight < holder.inFlight)) {
                holder = in;
            }
        }
        return holder;
    }

    private static boolean better(Candidate a, Candidate b) {
        if (a.cost() != b.cost()) {
            return a.cost() < b.cost();
        }
        if (a.instance().lastActive != b.instance().lastActive) {
            return a.instance().lastActive < b.instance().lastActive;
        }
        return a.instance().index < b.instance().index;
    }

    private Candidate candidate(Instance in, String model, long now) {
        if (in.inFlight >= config.capacity()) {
            return null;
        }
        if (!alive(in, now)) {
            return new Candidate(in, config.coldStart().toNanos() + switchNanos(), Optional.empty());
        }
        Optional<String> victim = Optional.empty();
        double evictionCost = 0;
        if (in.cache.size() >= config.cacheSlots()) {
            String lru = in.cache.keySet().iterator().next();
            if (in.inFlightByModel.containsKey(lru)) {
                return null;
            }
            victim = Optional.of(lru);
            evictionCost = switchNanos() * expectedReturns(models.get(lru), now);
        }
        return new Candidate(in, switchNanos() + evictionCost, victim);
    }

    /**
     * How often the victim is expected back within the horizon: H / gap, where the gap is the larger of the time
     * since its last arrival and the smaller of two estimates, the moving average (follows recent bursts) and the
     * observed window over its count (so a model seen once is not mistaken for a popular one just because it was
     * seen recently).
     */
    private double expectedReturns(ModelStats v, long now) {
        double sinceLast = now - v.lastArrival;
        double longRun = (double) Math.max(now - firstOffer, 1) / v.arrivals;
        double typical = Double.isNaN(v.meanGap) ? longRun : Math.min(v.meanGap, longRun);
        double gap = Math.max(Math.max(sinceLast, typical), 1.0);
        return RETURN_HORIZON_NANOS / gap;
    }

    private double execEstimate(String model) {
        double e = models.get(model).meanExec;
        return Double.isNaN(e) ? 0 : e;
    }

    private double switchNanos() {
        return config.switchCost().toNanos();
    }

    private boolean alive(Instance in, long now) {
        return in.started && (in.inFlight > 0 || now - in.lastActive <= config.keepAlive().toNanos());
    }

    private Decision.Route route(long requestId, String model, Instance in, long now, boolean load,
            Optional<String> victim) {
        if (load) {
            if (!alive(in, now)) {
                in.cache.clear();
            }
            victim.ifPresent(in.cache::remove);
            switches += in.started && alive(in, now) ? 1 : 0;
            in.started = true;
        }
        in.cache.put(model, Boolean.TRUE);
        in.inFlight++;
        in.inFlightByModel.merge(model, 1, Integer::sum);
        in.lastActive = now;
        freeSlots--;
        routed++;
        return new Decision.Route(requestId, model, in.index, load, victim);
    }

    @Override
    public synchronized List<Decision.Route> completed(Decision.Route route, long executionNanos) {
        Instance in = instances[route.instance()];
        Integer n = in.inFlightByModel.get(route.model());
        if (n == null) {
            throw new IllegalStateException("completion of a request that is not in flight: " + route);
        }
        completed++;
        long now = clock.read();
        if (n == 1) {
            in.inFlightByModel.remove(route.model());
        } else {
            in.inFlightByModel.put(route.model(), n - 1);
        }
        in.inFlight--;
        in.lastActive = now;
        freeSlots++;
        ModelStats s = models.get(route.model());
        s.meanExec = Double.isNaN(s.meanExec) ? executionNanos : (1 - EWMA) * s.meanExec + EWMA * executionNanos;
        if (queue.isEmpty()) {
            return List.of();
        }
        List<Decision.Route> out = new ArrayList<>();
        // First pass: queued requests whose model a live instance holds with a free slot (no load at all), so the
        // head of the queue does not evict the very model that requests behind it are waiting for.
        for (Iterator<Decision.Queued> it = queue.iterator(); it.hasNext() && freeSlots > 0; ) {
            Decision.Queued q = it.next();
            Instance holder = freeHolder(q.model(), now);
            if (holder != null) {
                it.remove();
                out.add(route(q.requestId(), q.model(), holder, now, false, Optional.empty()));
            }
        }
        // Second pass: the rest in FIFO order, under the full rule.
        Map<String, Integer> sameModelAhead = new HashMap<>();
        for (Iterator<Decision.Queued> it = queue.iterator(); it.hasNext() && freeSlots > 0; ) {
            Decision.Queued q = it.next();
            int before = sameModelAhead.getOrDefault(q.model(), 0);
            Optional<Decision.Route> r = place(q.requestId(), q.model(), now, before);
            if (r.isPresent()) {
                it.remove();
                out.add(r.get());
            } else {
                sameModelAhead.put(q.model(), before + 1);
            }
        }
        return out;
    }

    @Override
    public synchronized boolean cancel(long requestId) {
        boolean removed = queue.remove(requestId);
        if (removed) {
            rejected++;
        }
        return removed;
    }

    @Override
    public synchronized boolean forget(String model) {
        if (!models.containsKey(model)) {
            return true;
        }
        if (queue.queuedFor(model) > 0) {
            return false;
        }
        for (Instance in : instances) {
            if (in.inFlightByModel.containsKey(model)) {
                return false;
            }
        }
        models.remove(model);
        for (Instance in : instances) {
            in.cache.remove(model); // the runtime's own cache evicts it when it needs the room
        }
        return true;
    }

    /** Models the policy keeps numbers for (for tests and diagnostics). */
    public synchronized int modelsKnown() {
        return models.size();
    }

    @Override
    public synchronized PolicyStats stats() {
        int used = 0;
        for (Instance in : instances) {
            used += in.started ? 1 : 0;
        }
        return new PolicyStats(offered, routed, queued, rejected, switches, completed, used);
    }
}
