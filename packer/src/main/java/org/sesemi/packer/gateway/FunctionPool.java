package org.sesemi.packer.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskException;

/**
 * The gateway's functions on the platform, {@code fp-<group>-<i>} for pool instance {@code i}, created (or updated) the
 * first time an instance is needed ({@code dedicated} grows the pool on demand), and the requests routed to each per
 * model (metadata the gateway sees anyway, for operators). Thread-safe.
 */
final class FunctionPool {
    private final OpenWhiskClient platform;
    private final String group;
    private final OpenWhiskClient.BlackboxAction function;
    private final Map<Integer, String> functions = new ConcurrentHashMap<>();
    /** A lock, not a monitor: creating a function is an HTTP call to the platform (docs/architecture.md, "Threads"). */
    private final ReentrantLock creating = new ReentrantLock();
    private final Map<String, Map<String, LongAdder>> routes = new ConcurrentHashMap<>();

    FunctionPool(OpenWhiskClient platform, String group, OpenWhiskClient.BlackboxAction function) {
        this.platform = platform;
        this.group = group;
        this.function = function;
    }

    /** The function for pool instance {@code i}, created on the platform the first time it is needed. */
    String function(int i) throws IOException, InterruptedException, OpenWhiskException {
        String name = functions.get(i);
        if (name != null) {
            return name;
        }
        creating.lock();
        try {
            name = functions.get(i);
            if (name == null) {
                name = "fp-" + group + "-" + i;
                platform.putAction(name, function, true);
                functions.put(i, name);
            }
            return name;
        } finally {
            creating.unlock();
        }
    }

    /** Counts a request of {@code model} routed to {@code fn}. */
    void routed(String fn, String model) {
        routes.computeIfAbsent(fn, k -> new ConcurrentHashMap<>()).computeIfAbsent(model, k -> new LongAdder()).increment();
    }

    int size() {
        return functions.size();
    }

    /** The functions created so far, by pool instance (sorted). */
    Map<Integer, String> byInstance() {
        return new TreeMap<>(functions);
    }

    /** The functions created so far, in pool instance order. */
    List<String> names() {
        return new ArrayList<>(byInstance().values());
    }

    /** Requests routed so far, per function and model (sorted). */
    Map<String, Map<String, Long>> routes() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        routes.forEach((fn, byModel) -> {
            Map<String, Long> m = new TreeMap<>();
            byModel.forEach((model, n) -> m.put(model, n.sum()));
            out.put(fn, m);
        });
        return out;
    }
}
