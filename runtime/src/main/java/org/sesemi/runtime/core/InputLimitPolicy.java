package org.sesemi.runtime.core;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.engine.InputLimits;

/**
 * Which {@link InputLimits} apply to which model: a default, and per-model overrides (an operator sets them for models
 * whose working memory grows fast with the inputs, e.g. attention models). Immutable.
 *
 * @param defaults for models without an override
 * @param perModel overrides by model id
 */
public record InputLimitPolicy(InputLimits defaults, Map<ModelId, InputLimits> perModel) {
    public InputLimitPolicy {
        perModel = Map.copyOf(perModel);
    }

    public static InputLimitPolicy standard() {
        return new InputLimitPolicy(InputLimits.DEFAULTS, Map.of());
    }

    public static InputLimitPolicy uniform(InputLimits limits) {
        return new InputLimitPolicy(limits, Map.of());
    }

    public InputLimits forModel(ModelId model) {
        return perModel.getOrDefault(model, defaults);
    }

    /**
     * Parses per-model overrides, {@code MODEL=elements:N,bytes:SIZE,batch:N;MODEL=...}; keys left out keep the
     * default's value. SIZE as in {@link RuntimeSettings#bytes}.
     *
     * @param setting the setting's name, for error messages
     * @throws IllegalArgumentException naming the setting and the bad part
     */
    public static InputLimitPolicy parse(InputLimits defaults, String overrides, String setting) {
        Map<ModelId, InputLimits> m = new HashMap<>();
        for (String entry : overrides.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(setting + ": expected MODEL=elements:N,bytes:SIZE,batch:N, got '" + entry.trim() + "'");
            }
            ModelId model;
            try {
                model = ModelId.parse(entry.substring(0, eq).trim());
            } catch (CryptoException e) {
                throw new IllegalArgumentException(setting + ": '" + entry.substring(0, eq).trim() + "' is not a model id (owner/name)");
            }
            long elements = defaults.maxElementsPerInput(), bytes = defaults.maxInputBytes(), batch = defaults.maxBatch();
            for (String kv : entry.substring(eq + 1).split(",")) {
                String[] p = kv.split(":", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException(setting + ": expected KEY:VALUE, got '" + kv.trim() + "'");
                }
                String key = p[0].trim().toLowerCase(Locale.ROOT);
                switch (key) {
                    case "elements" -> elements = positive(p[1], setting);
                    case "bytes" -> bytes = RuntimeSettings.bytes(p[1], setting);
                    case "batch" -> batch = positive(p[1], setting);
                    default -> throw new IllegalArgumentException(setting + ": unknown limit '" + key + "' (elements, bytes, batch)");
                }
            }
            if (m.put(model, new InputLimits(elements, bytes, batch)) != null) {
                throw new IllegalArgumentException(setting + ": model " + model + " is listed twice");
            }
        }
        return new InputLimitPolicy(defaults, m);
    }

    static long positive(String v, String setting) {
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(setting + " must be a positive integer, got '" + v.trim() + "'");
    }
}
