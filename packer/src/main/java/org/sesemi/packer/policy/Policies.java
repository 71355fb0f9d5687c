package org.sesemi.packer.policy;

import java.util.List;
import org.sesemi.time.Ticker;

/** Creates policies by their report / command-line name. */
public final class Policies {
    /** Every policy, in the order reports list them. */
    public static final List<String> NAMES = List.of(PaperPolicy.NAME, AffinityPolicy.NAME, DedicatedPolicy.NAME);

    private Policies() {}

    public static PackingPolicy create(String name, PolicyConfig config, Ticker clock) {
        return switch (name) {
            case PaperPolicy.NAME -> new PaperPolicy(config, clock);
            case AffinityPolicy.NAME -> new AffinityPolicy(config, clock);
            case DedicatedPolicy.NAME -> new DedicatedPolicy(config, clock);
            default -> throw new IllegalArgumentException("unknown packing policy '" + name + "', expected one of "
                    + NAMES);
        };
    }
}
