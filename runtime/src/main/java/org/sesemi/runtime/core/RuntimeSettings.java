package org.sesemi.runtime.core;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.TeeProviders;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.collateral.CollateralSetting;
import org.sesemi.attestation.collateral.ManagedCollateralSource;
import org.sesemi.attestation.collateral.PeerVerification;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.runtime.core.engine.EngineConfig;
import org.sesemi.runtime.core.engine.InputLimits;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.store.ModelStore;
import org.sesemi.runtime.store.S3ModelStore;
import org.sesemi.time.SystemTime;

/**
 * Builds a core from string settings: the process environment overlaid with OpenWhisk {@code /init} parameters, or
 * CLI flags mapped onto the same names. Every name and default is in {@code docs/runtime.md}. Invalid values fail
 * with a message naming the setting.
 */
public final class RuntimeSettings {
    public static final String KS_URL = "SESEMI_KS_URL";
    public static final String KS_MEASUREMENT = "SESEMI_KS_MEASUREMENT";
    public static final String TEE = "SESEMI_TEE";
    public static final String TEE_DIR = "SESEMI_TEE_DIR";
    public static final String ROLE = "SESEMI_ROLE";
    /** Enclave configuration entries {@code k=v,k=v} (part of the simulated measurement; e.g. the simulated signer). */
    public static final String ENCLAVE_CONFIG = "SESEMI_ENCLAVE_CONFIG";
    public static final String MODEL_STORE = "SESEMI_MODEL_STORE";
    public static final String S3_ENDPOINT = "SESEMI_S3_ENDPOINT";
    public static final String S3_REGION = "SESEMI_S3_REGION";
    public static final String MODEL_BUDGET = "SESEMI_MODEL_BUDGET";
    public static final String MAX_CONCURRENT = "SESEMI_MAX_CONCURRENT";
    public static final String MAX_QUEUE = "SESEMI_MAX_QUEUE";
    public static final String INTRA_OP_THREADS = "SESEMI_INTRA_OP_THREADS";
    public static final String TIMING = "SESEMI_TIMING";
    public static final String NAIVE = "SESEMI_NAIVE";
    public static final String COLLATERAL = "SESEMI_COLLATERAL";
    public static final String ACCEPT_TCB = "SESEMI_ACCEPT_TCB";
    public static final String MAX_INPUT_ELEMENTS = "SESEMI_MAX_INPUT_ELEMENTS";
    public static final String MAX_INPUT_BYTES = "SESEMI_MAX_INPUT_BYTES";
    public static final String MAX_BATCH = "SESEMI_MAX_BATCH";
    public static final String INPUT_LIMITS = "SESEMI_INPUT_LIMITS";
    public static final String ORT_ARENA = "SESEMI_ORT_ARENA";
    /** Sealed answer size (bytes) above which the answer to a request that came by reference, or carries answerByRef, is stored by reference. */
    public static final String PAYLOAD_REF_ABOVE = "SESEMI_PAYLOAD_REF_ABOVE";
    /** The action's {@code limits.memory} in MB (an init parameter FnPacker sets): sizes the model budget. */
    public static final String ACTION_MEMORY = "SESEMI_ACTION_MEMORY";
    /** The action's {@code limits.concurrency} (an init parameter FnPacker sets): admission covers it. */
    public static final String ACTION_CONCURRENCY = "SESEMI_ACTION_CONCURRENCY";
    /**
     * OpenWhisk's largest action timeout: with a declared concurrency, a request waits this long for a slot or for
     * model budget before "busy", so the invoker's own timeout always comes first.
     */
    static final java.time.Duration DECLARED_MAX_WAIT = java.time.Duration.ofMinutes(5);

    private RuntimeSettings() {}

    /** The TEE this runtime runs in (simulated by default: no hardware protection). */
    public static TeeProvider tee(Map<String, String> s) {
        String kind = s.getOrDefault(TEE, "simulated");
        Path dir = Path.of(s.getOrDefault(TEE_DIR, TeeConfig.DEFAULT_SIMULATED_DIR.toString()));
        TeeConfig base = TeeConfig.of(kind, s.getOrDefault(ROLE, "runtime"));
        return TeeProviders.create(new TeeConfig(base.kind(), dir, base.role(), enclaveConfig(s.getOrDefault(ENCLAVE_CONFIG, "")),
                base.gramineAttestationDir(), base.tsmReportDir()));
    }

    /**
     * {@value #ENCLAVE_CONFIG}: comma-separated {@code key=value} entries, e.g. the simulated TEE's signer identity
     * {@code sgx.mrsigner=<64 hex>,sgx.isvprodid=7,sgx.isvsvn=3} (what a signed SGX build carries in its SIGSTRUCT).
     */
    public static Map<String, String> enclaveConfig(String spec) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(ENCLAVE_CONFIG + " entries are key=value, got '" + entry.strip() + "'");
            }
            out.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
        }
        return out;
    }

    /** The KeyService endpoint (address and policy for its evidence) and the collateral source the policy uses. */
    public record KeyServiceTrust(KeyServiceEndpoint endpoint, ManagedCollateralSource collateral) {}

    /**
     * What KeyService evidence the runtime accepts: the expected KS measurement(s), the simulated root if simulated,
     * collateral from {@value #COLLATERAL} (default: simulated collateral in the simulated TEE, Intel's PCS on real TEEs,
     * required) and the TCB statuses of {@value #ACCEPT_TCB}. The caller closes the collateral source.
     *
     * @param own the TEE this runtime runs in
     */
    public static KeyServiceTrust keyService(Map<String, String> s, TeeProvider own) {
        return keyService(s, keyServicePolicy(s), own);
    }

    /**
     * The part of {@link #keyService(Map, TeeProvider)} that does not depend on this runtime's own TEE: the address and
     * the expected measurement(s) and, in the simulated TEE, its root (opening the simulated KeyService's state).
     */
    static KeyServicePolicy keyServicePolicy(Map<String, String> s) {
        URI uri = URI.create(require(s, KS_URL));
        String expected = require(s, KS_MEASUREMENT);
        VerificationPolicy.Builder b;
        if ("simulated".equals(s.getOrDefault(TEE, "simulated"))) {
            Path dir = Path.of(s.getOrDefault(TEE_DIR, TeeConfig.DEFAULT_SIMULATED_DIR.toString()));
            b = VerificationPolicy.simulated(SimulatedTee.open(dir, "keyservice")).toBuilder();
        } else {
            b = VerificationPolicy.builder();
        }
        for (String m : expected.split(",")) {
            b.expectMeasurement(Measurement.parse(m.trim()));
        }
        return new KeyServicePolicy(uri, b.build());
    }

    /** Where the KeyService is and what its evidence must show, before collateral (which depends on the own TEE). */
    record KeyServicePolicy(URI uri, VerificationPolicy base) {}

    /** {@code policy} completed with collateral and accepted TCB statuses for a runtime in {@code own}. */
    static KeyServiceTrust keyService(Map<String, String> s, KeyServicePolicy policy, TeeProvider own) {
        PeerVerification.Applied applied = peerVerification(s).apply(policy.base(), own, SystemTime.clock());
        return new KeyServiceTrust(new KeyServiceEndpoint(policy.uri(), applied.policy()), applied.source());
    }

    /** {@value #COLLATERAL} and {@value #ACCEPT_TCB}, validated. */
    public static PeerVerification peerVerification(Map<String, String> s) {
        PeerVerification v = PeerVerification.defaults();
        String c = s.get(COLLATERAL);
        if (c != null && !c.isBlank()) {
            v = v.withCollateral(CollateralSetting.parse(c));
        }
        String t = s.get(ACCEPT_TCB);
        if (t != null && !t.isBlank()) {
            v = v.withAcceptedTcb(PeerVerification.parseTcbStatuses(t));
        }
        return v;
    }

    public static ModelStore store(Map<String, String> s) {
        String where = s.getOrDefault(MODEL_STORE, Path.of(System.getProperty("user.home"), ".sesemi", "models").toString());
        if (where.startsWith("s3://")) {
            String rest = where.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            Optional<URI> endpoint = Optional.ofNullable(s.get(S3_ENDPOINT)).filter(x -> !x.isBlank()).map(URI::create);
            return new S3ModelStore(new S3ModelStore.Config(endpoint, s.getOrDefault(S3_REGION, "us-east-1"), bucket, prefix,
                    require(s, "AWS_ACCESS_KEY_ID"), require(s, "AWS_SECRET_ACCESS_KEY")));
        }
        return new DirectoryModelStore(Path.of(where));
    }

    public static CoreConfig coreConfig(Map<String, String> s) {
        return coreConfig(s, Path.of("/sys/fs/cgroup"));
    }

    /**
     * As {@link #coreConfig(Map)}, reading the container's memory limit under {@code cgroupRoot}. The model budget
     * follows the memory the runtime was given ({@link MemorySizing}). With {@value #ACTION_CONCURRENCY} = n, admission
     * lets n requests in at once (running or waiting), and they wait up to {@link #DECLARED_MAX_WAIT}: the runtime never
     * answers busy (503) to a request the invoker is allowed to send — OpenWhisk destroys a container that does.
     */
    static CoreConfig coreConfig(Map<String, String> s, Path cgroupRoot) {
        CoreConfig d = CoreConfig.defaults();
        int maxConcurrent = integer(s, MAX_CONCURRENT, d.maxConcurrent());
        int maxQueue = integer(s, MAX_QUEUE, d.maxQueue());
        Duration maxWait = d.maxWait();
        if (present(s, ACTION_CONCURRENCY)) {
            int declared = integer(s, ACTION_CONCURRENCY, 1);
            if (declared < 1) {
                throw new IllegalArgumentException(ACTION_CONCURRENCY + " must be at least 1, got " + declared);
            }
            maxQueue = Math.max(maxQueue, declared - maxConcurrent);
            maxWait = DECLARED_MAX_WAIT;
        }
        CoreConfig c = d.toBuilder().modelBudgetBytes(MemorySizing.modelBudget(s, cgroupRoot))
                .concurrency(maxConcurrent, maxQueue, maxWait)
                .engine(EngineConfig.builder().intraOpThreads(integer(s, INTRA_OP_THREADS, d.engine().intraOpThreads()))
                        .arena(bool(s, ORT_ARENA), bool(s, ORT_ARENA)).build())
                .inputLimits(inputLimits(s))
                .timing(bool(s, TIMING))
                .payloadRefAbove(integer(s, PAYLOAD_REF_ABOVE, d.payloadRefAbove()))
                .build();
        return c;
    }

    /**
     * The whole core: TEE, attested KeyService connection, model store, caches and engine. The key source and store
     * are closed with the core. Independent parts are built at the same time ({@link CoreInit}).
     */
    public static EnclaveRuntime create(Map<String, String> s) {
        return CoreInit.create(s, CoreInit.parallelByDefault());
    }

    /** The default input limits overlaid with {@link #MAX_INPUT_ELEMENTS} etc., and the per-model {@link #INPUT_LIMITS}. */
    public static InputLimitPolicy inputLimits(Map<String, String> s) {
        InputLimits d = InputLimits.DEFAULTS;
        InputLimits base = new InputLimits(
                present(s, MAX_INPUT_ELEMENTS) ? InputLimitPolicy.positive(s.get(MAX_INPUT_ELEMENTS), MAX_INPUT_ELEMENTS) : d.maxElementsPerInput(),
                present(s, MAX_INPUT_BYTES) ? bytes(s.get(MAX_INPUT_BYTES), MAX_INPUT_BYTES) : d.maxInputBytes(),
                present(s, MAX_BATCH) ? InputLimitPolicy.positive(s.get(MAX_BATCH), MAX_BATCH) : d.maxBatch());
        return InputLimitPolicy.parse(base, s.getOrDefault(INPUT_LIMITS, ""), INPUT_LIMITS);
    }

    private static boolean present(Map<String, String> s, String name) {
        return s.get(name) != null && !s.get(name).isBlank();
    }

    /** Parses {@code 512m}, {@code 2g}, {@code 1048576}, {@code 64MiB} (binary units). */
    public static long bytes(String v, String name) {
        String t = v.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long mult = 1;
        if (!t.isEmpty() && "kmg".indexOf(t.charAt(t.length() - 1)) >= 0) {
            mult = 1L << (10 * ("kmg".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t.trim());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " must be a positive size like 512m or 2g, got '" + v + "'");
        }
    }

    private static int integer(Map<String, String> s, String name, int dflt) {
        String v = s.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }

    static boolean bool(Map<String, String> s, String name) {
        String v = s.getOrDefault(name, "false").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off", "" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
        };
    }

    private static String require(Map<String, String> s, String name) {
        String v = s.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("setting " + name + " is required");
        }
        return v;
    }

    /** Names of all settings (for docs and CLI help). */
    public static List<String> names() {
        return new ArrayList<>(List.of(KS_URL, KS_MEASUREMENT, TEE, TEE_DIR, ROLE, ENCLAVE_CONFIG, MODEL_STORE, S3_ENDPOINT, S3_REGION, MODEL_BUDGET,
                MAX_CONCURRENT, MAX_QUEUE, INTRA_OP_THREADS, TIMING, NAIVE, COLLATERAL, ACCEPT_TCB, MAX_INPUT_ELEMENTS, MAX_INPUT_BYTES, MAX_BATCH,
                INPUT_LIMITS, ORT_ARENA, PAYLOAD_REF_ABOVE));
    }
}
