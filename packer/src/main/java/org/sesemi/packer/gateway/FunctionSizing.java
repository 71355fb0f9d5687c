package org.sesemi.packer.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskClient.BlackboxAction;
import org.sesemi.client.platform.OpenWhiskClient.NamespaceLimits;
import org.sesemi.packer.policy.PolicyConfig;

/**
 * Fits the gateway's function to the platform's published limits ({@link OpenWhiskClient#limits()}): memory within
 * the platform's range, concurrency at most the platform's maximum (1 on a stock OpenWhisk), and the policy's
 * per-instance capacity equal to the function's concurrency, so that the policy never routes more requests to one
 * instance than the platform lets a container take. A pool of concurrency-1 functions still packs models: an
 * instance's cache keeps several, it serves them one request at a time.
 *
 * <p>The function also tells its runtime what it was given, as init parameters the runtime reads (docs/runtime.md):
 * {@value #ACTION_CONCURRENCY} (the runtime's admission then covers every request the invoker may send, so it never
 * answers 503 to one — OpenWhisk destroys a container that does, with its keys and models) and {@value #ACTION_MEMORY}
 * (its model budget follows the container's memory). Values the operator set explicitly are kept. The function is
 * annotated {@code final} (unless the operator set that annotation), so that no invocation can redefine its parameters.
 */
public final class FunctionSizing {
    /** Init parameter: the action's {@code limits.concurrency}. */
    public static final String ACTION_CONCURRENCY = "SESEMI_ACTION_CONCURRENCY";
    /** Init parameter: the action's {@code limits.memory} in MB. */
    public static final String ACTION_MEMORY = "SESEMI_ACTION_MEMORY";

    private FunctionSizing() {}

    /** The gateway's configuration fitted to {@code limits}, and a sentence per adjustment (for the operator's log). */
    public record Fitted(GatewayConfig config, List<String> adjustments) {}

    /** Fits {@code config}'s function and policy to the platform's limits. */
    public static Fitted fit(GatewayConfig config, NamespaceLimits limits) {
        List<String> notes = new ArrayList<>();
        BlackboxAction f = config.function();
        if (f.memoryMb().isPresent()) {
            int mb = f.memoryMb().get();
            if (limits.maxActionMemoryMb().isPresent() && mb > limits.maxActionMemoryMb().getAsInt()) {
                notes.add("function memory " + mb + " MB lowered to the platform's maximum " + limits.maxActionMemoryMb().getAsInt() + " MB");
                mb = limits.maxActionMemoryMb().getAsInt();
            }
            if (limits.minActionMemoryMb().isPresent() && mb < limits.minActionMemoryMb().getAsInt()) {
                notes.add("function memory " + mb + " MB raised to the platform's minimum " + limits.minActionMemoryMb().getAsInt() + " MB");
                mb = limits.minActionMemoryMb().getAsInt();
            }
            f = f.withMemoryMb(mb);
        }
        int concurrency = f.concurrency().orElse(1); // OpenWhisk's default limits.concurrency
        if (limits.maxActionConcurrency().isPresent() && concurrency > limits.maxActionConcurrency().getAsInt()) {
            notes.add("function concurrency " + concurrency + " lowered to the platform's maximum " + limits.maxActionConcurrency().getAsInt());
            concurrency = limits.maxActionConcurrency().getAsInt();
        }
        if (f.concurrency().isPresent()) {
            f = f.withConcurrency(concurrency);
        }
        Map<String, Object> init = new HashMap<>(f.initParameters());
        init.putIfAbsent(ACTION_CONCURRENCY, Integer.toString(concurrency));
        f.memoryMb().ifPresent(mb -> init.putIfAbsent(ACTION_MEMORY, Integer.toString(mb)));
        f = f.withInitParameters(init);
        if (!f.annotations().containsKey("final")) {
            // OpenWhisk sends an invoke parameter named like an init parameter to /init: with "final", no request can
            // redefine the runtime's KeyService address, measurement or store (the platform answers 400).
            Map<String, Object> annotations = new HashMap<>(f.annotations());
            annotations.put("final", true);
            f = new BlackboxAction(f.image(), f.memoryMb(), f.timeoutMs(), f.concurrency(), f.parameters(), f.initParameters(), annotations);
        }
        PolicyConfig policy = config.policyConfig();
        if (policy.capacity() != concurrency) {
            notes.add("policy capacity " + policy.capacity() + " set to the function's concurrency " + concurrency);
            policy = policy.toBuilder().capacity(concurrency).build();
        }
        return new Fitted(config.toBuilder().function(f).policyConfig(policy).build(), List.copyOf(notes));
    }
}
