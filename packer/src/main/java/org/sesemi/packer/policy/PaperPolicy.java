package org.sesemi.packer.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.time.Ticker;

/**
 * The original FnPacker rule ({@code FPController.PickFnInstance} of the prototype), kept exact so that our
 * evaluation compares against what the paper ran, not against a strawman.
 *
 * <p>State per pool: {@code claim[i]}, the model holding an exclusive claim on instance i; {@code busy[i]}; and per
 * model: the instance it last used ({@code mapping}), its requests in flight ({@code inUse}), its last execution
 * time and the end time of its last call. A request of model M:
 * <ol>
 *   <li>increments {@code inUse[M]};</li>
 *   <li>if that makes 1 (nothing in flight), <em>steals</em>: the first instance in index order that is not busy
 *       and not claimed by another model, where a claim of model C has <em>expired</em> once C's time since its last
 *       call reaches twice its last execution time. Taking an instance clears its claim and marks it busy. If none
 *       qualifies the request fails with {@code "All Busy"} (no queue);</li>
 *   <li>if that makes 2, M now has concurrent requests: it claims its current instance exclusively and the request
 *       goes there;</li>
 *   <li>above 2, the request goes to M's current instance too, whatever that instance's concurrency limit: the
 *       prototype left overflow to OpenWhisk (the simulator queues it at the instance).</li>
 * </ol>
 * On completion {@code inUse[M]} drops and the model's stats are updated; at 0 its instance is no longer busy, and
 * its claim stays until it expires or is taken over. One deliberate difference: on "All Busy" we undo the increment
 * of {@code inUse}, since the failed request is not in flight.
 *
 * <p>The policy does not track caches; {@link Decision.Route#modelSwitch()} reports whether the instance last ran
 * another model, which is what a one-model cache would mean.
 *
 * <p>Thread-safe: every public method is synchronized.
 */
public final class PaperPolicy implements PackingPolicy {
    public static final String NAME = "paper";
    public static final String ALL_BUSY = "All Busy";

    private final Ticker clock;
    private final String[] claim;
    private final boolean[] busy;
    private final String[] lastModel;
    private final boolean[] used;
    private final Map<String, Model> models = new HashMap<>();
    private long offered, routed, rejected, switches, completed;

    private static final class Model {
        int mapping = -1;
        int inUse;
        long lastExecNanos;
        long lastCallNanos = Long.MIN_VALUE / 4;
    }

    public PaperPolicy(PolicyConfig config, Ticker clock) {
        this.clock = clock;
        int n = config.poolSize();
        claim = new String[n];
        busy = new boolean[n];
        lastModel = new String[n];
        used = new boolean[n];
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
        Model m = models.computeIfAbsent(model, k -> new Model());
        m.inUse++;
        int instance;
        if (m.inUse == 1) {
            instance = steal(model, now);
            if (instance < 0) {
                m.inUse--;
                rejected++;
                return new Decision.Rejected(requestId, model, ALL_BUSY);
            }
            m.mapping = instance;
        } else {
            instance = m.mapping;
            if (m.inUse == 2) {
                claim[instance] = model;
            }
        }
        return route(requestId, model, instance);
    }

    private int steal(String model, long now) {
        for (int i = 0; i < claim.length; i++) {
            if (!busy[i] && (claim[i] == null || claim[i].equals(model) || expired(claim[i], now))) {
                claim[i] = null;
                busy[i] = true;
                return i;
            }
        }
        return -1;
    }

    private boolean expired(String claimant, long now) {
        Model c = models.get(claimant);
        return now - c.lastCallNanos >= 2 * c.lastExecNanos;
    }

    private Decision.Route route(long requestId, String model, int instance) {
        routed++;
        boolean isSwitch = !model.equals(lastModel[instance]);
        Optional<String> evicted = Optional.ofNullable(isSwitch ? lastModel[instance] : null);
        if (isSwitch) {
            switches++;
        }
        lastModel[instance] = model;
        used[instance] = true;
        return new Decision.Route(requestId, model, instance, isSwitch, evicted);
    }

    @Override
    public synchronized List<Decision.Route> completed(Decision.Route route, long executionNanos) {
        Model m = models.get(route.model());
        if (m == null || m.inUse == 0) {
            throw new IllegalStateException("completion of a request that is not in flight: " + route);
        }
        completed++;
        m.inUse--;
        m.lastExecNanos = executionNanos;
        m.lastCallNanos = clock.read();
        if (m.inUse == 0) {
            busy[m.mapping] = false;
        }
        return List.of();
    }

    @Override
    public synchronized boolean cancel(long requestId) {
        return false;
    }

    @Override
    public synchronized boolean forget(String model) {
        Model m = models.get(model);
        if (m == null) {
            return true;
        }
        if (m.inUse > 0) {
            return false;
        }
        models.remove(model);
        for (int i = 0; i < claim.length; i++) {
            if (model.equals(claim[i])) {
                claim[i] = null; // an idle model's claim is released as if it had expired
            }
        }
        return true;
    }

    /** Models the policy keeps numbers for (for tests and diagnostics). */
    public synchronized int modelsKnown() {
        return models.size();
    }

    /** The model claiming instance {@code i}, if any (for tests and diagnostics). */
    public synchronized Optional<String> claimOf(int i) {
        return Optional.ofNullable(claim[i]);
    }

    @Override
    public synchronized PolicyStats stats() {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return new PolicyStats(offered, routed, 0, rejected, switches, completed, n);
    }
}
