package org.sesemi.attestation;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Configuration of the TEE provider of one component.
 *
 * @param kind {@code simulated} (default), {@code gramine-sgx} or {@code tdx}
 * @param simulatedDir where the simulated TEE keeps its root CA, PCK and quoting keys (default
 *     {@code ~/.sesemi/simulated-tee})
 * @param role the component's role (e.g. {@code runtime}, {@code keyservice}); part of the simulated measurement
 * @param enclaveConfig enclave configuration that is part of the simulated measurement (sorted by key); the {@code tdx}
 *     provider also reads {@code tdx.sealingKeyFile} from it
 * @param gramineAttestationDir Gramine's attestation pseudo-filesystem (default {@code /dev/attestation})
 * @param tsmReportDir configfs-tsm report directory (default {@code /sys/kernel/config/tsm/report})
 */
public record TeeConfig(String kind, Path simulatedDir, String role, Map<String, String> enclaveConfig,
        Path gramineAttestationDir, Path tsmReportDir) {
    public static final Path DEFAULT_SIMULATED_DIR = Path.of(System.getProperty("user.home"), ".sesemi", "simulated-tee");
    public static final Path DEFAULT_GRAMINE_DIR = Path.of("/dev/attestation");
    public static final Path DEFAULT_TSM_DIR = Path.of("/sys/kernel/config/tsm/report");

    public TeeConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(simulatedDir, "simulatedDir");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(gramineAttestationDir, "gramineAttestationDir");
        Objects.requireNonNull(tsmReportDir, "tsmReportDir");
        if (!role.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("role must be a short lowercase name, e.g. runtime or keyservice");
        }
        enclaveConfig = java.util.Collections.unmodifiableMap(new TreeMap<>(enclaveConfig));
    }

    /** The simulated TEE keeping its keys under {@code dir}. */
    public static TeeConfig simulated(Path dir, String role) {
        return new TeeConfig("simulated", dir, role, Map.of(), DEFAULT_GRAMINE_DIR, DEFAULT_TSM_DIR);
    }

    /** Laptop defaults: the simulated TEE under {@code ~/.sesemi/simulated-tee}. */
    public static TeeConfig defaults(String role) {
        return simulated(DEFAULT_SIMULATED_DIR, role);
    }

    /** A provider of the given kind with default device paths. */
    public static TeeConfig of(String kind, String role) {
        return new TeeConfig(kind, DEFAULT_SIMULATED_DIR, role, Map.of(), DEFAULT_GRAMINE_DIR, DEFAULT_TSM_DIR);
    }

    public TeeConfig withEnclaveConfig(Map<String, String> config) {
        return new TeeConfig(kind, simulatedDir, role, config, gramineAttestationDir, tsmReportDir);
    }

    public TeeConfig withGramineAttestationDir(Path dir) {
        return new TeeConfig(kind, simulatedDir, role, enclaveConfig, dir, tsmReportDir);
    }

    public TeeConfig withTsmReportDir(Path dir) {
        return new TeeConfig(kind, simulatedDir, role, enclaveConfig, gramineAttestationDir, dir);
    }
}
