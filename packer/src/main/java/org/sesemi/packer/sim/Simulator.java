package org.sesemi.packer.sim;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.sesemi.models.workload.Arrival;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.packer.policy.Policies;
import org.sesemi.time.Ticker;

/**
 * A discrete-event simulation of a gateway running a {@link PackingPolicy} in front of a pool of function instances
 * whose costs follow a {@link CostModel}. The policy runs unchanged against the simulator's clock; the simulator
 * keeps the truth about each instance (live container or not, cached models in LRU order, requests running and
 * waiting) and charges costs from it, so a policy whose beliefs are wrong pays for it.
 *
 * <p>Events at the same instant are handled completions first, then queue deadlines, then arrivals, each in the
 * order scheduled, so a run is a pure function of (arrivals, policy, cost model): the same inputs give the same
 * result. Memory grows with the number of models and requests in flight, not with the length of the workload
 * (apart from one {@code long} per completed request for the latency percentiles).
 *
 * <p>Not thread-safe; a run is a single method call.
 */
public final class Simulator {
    public static final String QUEUE_TIMEOUT = "queue timeout";

    private final CostModel cost;
    private final SplittableRandom jitter;
    private final long[] now = {0};
    private final PackingPolicy policy;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final List<Instance> instances = new java.util.ArrayList<>();
    private final Map<Long, Request> queued = new HashMap<>();
    private final Map<String, long[]> perModel = new HashMap<>();
    private final Map<String, Long> rejectedByReason = new HashMap<>();
    private long seq;
    private long requests, completed, rejected, queuedCount, instanceQueued, coldStarts, switches;
    private double billedNanos;
    private long[] latencies = new long[1024];
    private int latencyCount;

    // per-model counter slots
    private static final int REQ = 0, DONE = 1, REJ = 2, COLD = 3, SWITCH = 4;

    private Simulator(Function<Ticker, PackingPolicy> policyFactory, CostModel cost) {
        this.cost = cost;
        this.jitter = new SplittableRandom(cost.seed());
        this.policy = policyFactory.apply(() -> now[0]);
    }

    /** Replays {@code arrivals} (time-ordered) through the named policy on a pool of {@code poolSize} instances. */
    public static SimulationResult run(Stream<Arrival> arrivals, String policyName, int poolSize, CostModel cost) {
        return run(arrivals, clock -> Policies.create(policyName, cost.policyConfig(poolSize), clock), cost);
    }

    /**
     * Replays {@code arrivals} (time-ordered) through a policy built by {@code policyFactory} on the simulator's
     * clock (nanoseconds since the workload's start).
     */
    public static SimulationResult run(Stream<Arrival> arrivals, Function<Ticker, PackingPolicy> policyFactory,
            CostModel cost) {
        return new Simulator(policyFactory, cost).replay(arrivals);
    }

    private static final class Request {
        final long id;
        final String model;
        final long arrivedAt;
        Decision.Route route;
        long startedAt;
        long executionNanos;

        Request(long id, String model, long arrivedAt) {
            this.id = id;
            this.model = model;
            this.arrivedAt = arrivedAt;
        }
    }

    private static final class Instance {
        boolean started;
        long aliveSince;
        long idleSince;
        long containerReadyAt;
        /** Model → time its load completes, least recently used first. */
        final LinkedHashMap<String, Long> cache = new LinkedHashMap<>(4, 0.75f, true);
        int running;
        final ArrayDeque<Request> waiting = new ArrayDeque<>();
        long aliveNanos;
    }

    private enum Kind { COMPLETE, EXPIRE }

    private record Event(long at, Kind kind, long seq, Request request) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            if (c != 0) {
                return c;
            }
            c = kind.compareTo(o.kind);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private SimulationResult replay(Stream<Arrival> arrivals) {
        long lastArrival = 0;
        long nextId = 0;
        for (Iterator<Arrival> it = arrivals.iterator(); it.hasNext(); ) {
            Arrival a = it.next();
            if (a.atNanos() < lastArrival) {
                throw new IllegalArgumentException("arrivals out of time order at " + a);
            }
            lastArrival = a.atNanos();
            drainEventsUpTo(a.atNanos());
            now[0] = a.atNanos();
            arrive(new Request(nextId++, a.model(), a.atNanos()));
        }
        drainEventsUpTo(Long.MAX_VALUE);
        long end = Math.max(now[0], lastArrival);
        return result(end);
    }

    private void drainEventsUpTo(long t) {
        while (!events.isEmpty() && events.peek().at() <= t) {
            Event e = events.poll();
            now[0] = e.at();
            switch (e.kind()) {
                case COMPLETE -> complete(e.request());
                case EXPIRE -> expire(e.request());
            }
        }
    }

    private void arrive(Request r) {
        requests++;
        counts(r.model)[REQ]++;
        switch (policy.offer(r.id, r.model)) {
            case Decision.Route route -> dispatch(r, route);
            case Decision.Queued q -> {
                queuedCount++;
                queued.put(r.id, r);
                events.add(new Event(Math.max(q.deadlineNanos(), now[0]), Kind.EXPIRE, seq++, r));
            }
            case Decision.Rejected rej -> reject(r, rej.reason());
        }
    }

    private void reject(Request r, String reason) {
        rejected++;
        counts(r.model)[REJ]++;
        rejectedByReason.merge(reason, 1L, Long::sum);
    }

    private void expire(Request r) {
        if (!queued.containsKey(r.id)) {
            return; // routed before its deadline
        }
        if (!policy.cancel(r.id)) {
            throw new IllegalStateException("policy " + policy.name() + " lost queued request " + r.id);
        }
        queued.remove(r.id);
        reject(r, QUEUE_TIMEOUT);
    }

    private void dispatch(Request r, Decision.Route route) {
        if (!route.model().equals(r.model) || route.requestId() != r.id) {
            throw new IllegalStateException("policy routed " + route + " for request " + r.id + " of " + r.model);
        }
        r.route = route;
        while (instances.size() <= route.instance()) {
            instances.add(new Instance());
        }
        Instance in = instances.get(route.instance());
        if (in.running >= cost.capacity()) {
            instanceQueued++;
            in.waiting.add(r);
        } else {
            start(r, in);
        }
    }

    private boolean alive(Instance in, long t) {
        return in.started && (in.running > 0 || t - in.idleSince <= cost.keepAlive().toNanos());
    }

    private void start(Request r, Instance in) {
        long t = now[0];
        boolean cold = !alive(in, t);
        if (cold) {
            if (in.started) {
                in.aliveNanos += in.idleSince + cost.keepAlive().toNanos() - in.aliveSince;
            }
            in.started = true;
            in.aliveSince = t;
            in.containerReadyAt = t + coldStartNanos(t);
            in.cache.clear();
            coldStarts++;
            counts(r.model)[COLD]++;
        }
        Long ready = in.cache.get(r.model);
        long begin;
        if (ready != null) {
            begin = Math.max(t, ready);
        } else {
            begin = Math.max(t, in.containerReadyAt) + cost.switchNanos(r.model);
            in.cache.put(r.model, begin);
            if (in.cache.size() > cost.cacheSlots()) {
                Iterator<String> lru = in.cache.keySet().iterator();
                lru.next();
                lru.remove();
            }
            if (!cold) {
                switches++;
                counts(r.model)[SWITCH]++;
            }
        }
        r.executionNanos = executionNanos(r.model);
        r.startedAt = t;
        in.running++;
        events.add(new Event(begin + r.executionNanos, Kind.COMPLETE, seq++, r));
    }

    /** A container start beginning at {@code t}: slower while other starts share the host's cores (see CostModel). */
    private long coldStartNanos(long t) {
        long base = cost.coldStart().toNanos();
        if (cost.hostCores() == 0) {
            return base;
        }
        int starting = 1;
        for (Instance other : instances) {
            starting += other.started && other.containerReadyAt > t ? 1 : 0;
        }
        return starting <= cost.hostCores() ? base : base * starting / cost.hostCores();
    }

    private long executionNanos(String model) {
        long base = cost.executionNanos(model);
        if (cost.executionJitter() == 0) {
            return base;
        }
        double factor = 1 + cost.executionJitter() * (2 * jitter.nextDouble() - 1);
        return Math.round(base * factor);
    }

    private void complete(Request r) {
        long t = now[0];
        Instance in = instances.get(r.route.instance());
        in.running--;
        in.idleSince = t;
        completed++;
        counts(r.model)[DONE]++;
        billedNanos += t - r.startedAt;
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = t - r.arrivedAt;
        if (!in.waiting.isEmpty()) {
            start(in.waiting.poll(), in);
        }
        // The gateway observes the activation's duration (OpenWhisk's `duration`): time in the container, so a cold
        // start's init and a model load are included, as they were in the prototype's statistics.
        for (Decision.Route route : policy.completed(r.route, t - r.startedAt)) {
            Request q = queued.remove(route.requestId());
            if (q == null) {
                throw new IllegalStateException("policy released a request it never queued: " + route);
            }
            dispatch(q, route);
        }
    }

    private long[] counts(String model) {
        return perModel.computeIfAbsent(model, k -> new long[5]);
    }

    private SimulationResult result(long end) {
        if (!queued.isEmpty()) {
            throw new IllegalStateException(queued.size() + " requests still queued at the end");
        }
        double aliveNanos = 0;
        int used = 0;
        for (Instance in : instances) {
            if (!in.started) {
                continue;
            }
            used++;
            aliveNanos += in.aliveNanos + Math.min(in.idleSince + cost.keepAlive().toNanos(), end) - in.aliveSince;
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        double mean = 0;
        for (long l : sorted) {
            mean += l;
        }
        mean = sorted.length == 0 ? 0 : mean / sorted.length;
        double gb = cost.memoryMb() / 1024.0;
        Map<String, SimulationResult.ModelCounts> models = new HashMap<>();
        perModel.forEach((m, c) -> models.put(m, new SimulationResult.ModelCounts(c[REQ], c[DONE], c[REJ], c[COLD],
                c[SWITCH])));
        return new SimulationResult(policy.name(), requests, completed, rejected, rejectedByReason, queuedCount,
                instanceQueued, ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.95)),
                ms(percentile(sorted, 0.99)), mean / 1e6, ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                coldStarts, switches, used, aliveNanos / 1e9, gb * aliveNanos / 1e9, gb * billedNanos / 1e9,
                end / 1e9, models);
    }

    /** Nearest-rank percentile: the smallest value with at least {@code p} of the values at or below it. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
