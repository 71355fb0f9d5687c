package org.sesemi.runtime.host;

import java.util.Map;
import org.sesemi.runtime.core.EnclaveRuntime;

/**
 * Builds the trusted core from settings (process environment overlaid with OpenWhisk {@code /init} parameters). The
 * host never sees what the core is made of.
 */
@FunctionalInterface
public interface CoreFactory {
    /** @throws RuntimeException with a user-facing message when the settings are unusable */
    EnclaveRuntime create(Map<String, String> settings);
}
