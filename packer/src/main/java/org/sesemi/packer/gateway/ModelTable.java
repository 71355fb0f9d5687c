package org.sesemi.packer.gateway;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The model ids a gateway currently routes, bounded: model ids come from untrusted requests, so the table must not
 * fill up for good with junk. Least recently used first; a model with requests in flight is never forgotten.
 *
 * <ul>
 *   <li>{@link #admit} a request's model before it is offered to the policy; when the table is full the least recently
 *       used idle model is forgotten (the {@code forget} callback drops the policy's state for it) to make room; if
 *       every model has requests in flight the request is refused ({@code too_many_models}).
 *   <li>{@link #release} it when the request is over. A model none of whose requests was ever served (unknown to the
 *       runtime, not granted, or junk) is forgotten as soon as it is idle, so junk ids do not even hold a slot.
 * </ul>
 *
 * <p>Thread-safe (synchronized; every call is short).
 */
final class ModelTable {
    private static final class Entry {
        int inFlight;
        boolean served;
    }

    private final int maxModels;
    private final Predicate<String> forget;
    private final LinkedHashMap<String, Entry> models = new LinkedHashMap<>(16, 0.75f, true);
    private long forgotten;

    /** @param forget drops the policy's state for an idle model; false if the policy still has it busy */
    ModelTable(int maxModels, Predicate<String> forget) {
        if (maxModels < 1) {
            throw new IllegalArgumentException("maxModels must be >= 1");
        }
        this.maxModels = maxModels;
        this.forget = forget;
    }

    /** Counts a request of {@code model} in; false if the table is full of models with requests in flight. */
    synchronized boolean admit(String model) {
        Entry e = models.get(model);
        if (e == null) {
            if (models.size() >= maxModels && !evictOne()) {
                return false;
            }
            e = new Entry();
            models.put(model, e);
        }
        e.inFlight++;
        return true;
    }

    /** Counts a request of {@code model} out; {@code served}: the runtime answered it with a sealed response. */
    synchronized void release(String model, boolean served) {
        Entry e = models.get(model);
        if (e == null || e.inFlight == 0) {
            throw new IllegalStateException("release without admit");
        }
        e.inFlight--;
        e.served |= served;
        if (e.inFlight == 0 && !e.served && forget.test(model)) {
            models.remove(model);
            forgotten++;
        }
    }

    private boolean evictOne() {
        for (Iterator<Map.Entry<String, Entry>> it = models.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().inFlight == 0 && forget.test(e.getKey())) {
                it.remove();
                forgotten++;
                return true;
            }
        }
        return false;
    }

    synchronized int size() {
        return models.size();
    }

    /** Models forgotten so far (idle least recently used ones, and ones never served). */
    synchronized long forgotten() {
        return forgotten;
    }
}
