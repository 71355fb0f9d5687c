package org.sesemi.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.PlatformServer;
import org.sesemi.platform.invoker.ContainerPool;
import org.sesemi.platform.invoker.InvokerConfig;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.time.SystemTime;

/**
 * The servers of the whole system on loopback, with all their state in one directory: a KeyService in the
 * <b>simulated</b> TEE ({@code keyservice.db}, TEE state in {@code simulated-tee/}), a directory model store
 * ({@code model-store/}) and the embedded platform ({@code platform.db}) whose image
 * {@value PlatformCommand#SEMIRT_IMAGE} runs this build's runtime in separate processes. Starting again on the same
 * directory reopens the same state (same measurements, same sealed keys, same models). Used by {@code sesemi up},
 * the demo and the benches ({@link LocalStack}).
 */
final class EmbeddedStack implements AutoCloseable {
    /** Default ports of {@code sesemi up}: the KeyService's and the platform's usual ones. Port 0 takes any free port. */
    static final int KEYSERVICE_PORT = 8443;
    static final int PLATFORM_PORT = 3233;

    final Path dir;
    final Path teeDir;
    /** Replaced by {@link #restartKeyService()}: same port, database and TEE identity. */
    volatile KeyServiceServer ks;
    final ContainerPool invoker;
    final PlatformServer platform;
    /** What {@code sesemi measure} prints for this build: the runtime measurement an owner grants. */
    final Measurement runtimeMeasurement;
    final DirectoryModelStore store;
    final OpenWhiskClient platformClient;
    /** How clients in this process reach and trust the KeyService (simulated root, pinned measurement). */
    final KeyServiceEndpoint endpoint;

    private EmbeddedStack(Path dir, int keyServicePort, int platformPort, int userMemoryMb, Optional<String> containers,
            boolean openWhiskLimits, Map<String, org.sesemi.platform.invoker.ImageRegistry.Image> extraImages) throws IOException {
        this.dir = dir;
        this.teeDir = dir.resolve("simulated-tee");
        KeyServiceServer k = null;
        ContainerPool pool = null;
        PlatformServer p = null;
        try {
            k = KeyServiceServer.start(SimulatedKeyService.config(dir.resolve("keyservice.db"), teeDir, keyServicePort));
            this.keyServiceConfig = SimulatedKeyService.config(dir.resolve("keyservice.db"), teeDir, k.port());
            InvokerConfig invokerConfig = InvokerConfig.builder().userMemoryMb(userMemoryMb).stockOpenWhisk(openWhiskLimits).build();
            pool = containers.isPresent()
                    // The runtime's init parameters name paths under dir (model store, simulated TEE): mount it.
                    ? new ContainerPool(invokerConfig, Containers.images(containers.get()), Containers.launcher(containers.get(), List.of(dir), Map.of()))
                    : new ContainerPool(invokerConfig, PlatformCommand.images(extraImages));
            PlatformConfig.Builder platformConfig = PlatformConfig.builder(dir.resolve("platform.db")).port(platformPort);
            p = PlatformServer.start((openWhiskLimits ? platformConfig.openWhiskLimits() : platformConfig).build(), pool);
            this.runtimeMeasurement = SimulatedTee.open(teeDir, "runtime").measurement();
            this.store = new DirectoryModelStore(Files.createDirectories(dir.resolve("model-store")));
            this.endpoint = SimulatedKeyService.endpoint(k, teeDir);
            this.platformClient = new OpenWhiskClient(p.apiHost(), PlatformServer.GUEST_API_KEY, "_");
        } catch (IOException | RuntimeException | Error e) {
            closeAll(p, pool, k);
            throw e;
        }
        this.ks = k;
        this.invoker = pool;
        this.platform = p;
    }

    /** Starts (or restarts on existing state) the stack in {@code dir}; runtimes run as local processes. */
    static EmbeddedStack start(Path dir, int keyServicePort, int platformPort, int userMemoryMb) throws IOException {
        return start(dir, keyServicePort, platformPort, userMemoryMb, Optional.empty());
    }

    /** As above; with {@code containers} (podman or docker) the runtimes run in containers of the built image. */
    static EmbeddedStack start(Path dir, int keyServicePort, int platformPort, int userMemoryMb, Optional<String> containers)
            throws IOException {
        return start(dir, keyServicePort, platformPort, userMemoryMb, containers, false);
    }

    /**
     * As above; with {@code openWhiskLimits} the platform has a stock OpenWhisk's limits and invoker behaviour
     * ({@code sesemi platform serve --limits openwhisk}).
     */
    static EmbeddedStack start(Path dir, int keyServicePort, int platformPort, int userMemoryMb, Optional<String> containers,
            boolean openWhiskLimits) throws IOException {
        return start(dir, keyServicePort, platformPort, userMemoryMb, containers, openWhiskLimits, Map.of());
    }

    /** As above, with {@code extraImages} beside the runtime image (local processes only; e.g. the bench's INSECURE baseline). */
    static EmbeddedStack start(Path dir, int keyServicePort, int platformPort, int userMemoryMb, Optional<String> containers,
            boolean openWhiskLimits, Map<String, org.sesemi.platform.invoker.ImageRegistry.Image> extraImages) throws IOException {
        return new EmbeddedStack(Files.createDirectories(dir), keyServicePort, platformPort, userMemoryMb, containers, openWhiskLimits, extraImages);
    }

    /** The simulated TEE's root certificate: the trust root clients pin for the KeyService's evidence. */
    X509Certificate simulatedRoot() {
        return SimulatedTee.open(teeDir, SimulatedKeyService.TEE_NAME).rootCertificate();
    }

    /**
     * The runtime's {@code /init} parameters: only addresses and public measurements (what a platform operator may
     * see), plus {@code extra} settings. No model budget: the runtime sizes it from the function's memory (FnPacker
     * passes it; {@code runtime.md}, "Configuration").
     */
    Map<String, String> initParameters(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of(
                RuntimeSettings.KS_URL, ks.uri().toString(),
                RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                RuntimeSettings.TEE, "simulated",
                RuntimeSettings.TEE_DIR, teeDir.toString(),
                RuntimeSettings.MODEL_STORE, store.root().toString()));
        m.putAll(extra);
        return m;
    }

    /**
     * Starts an FnPacker gateway in front of {@code poolSize} functions {@code fp-<group>-<i>} on this stack's platform,
     * each running the runtime image with {@code functionMemoryMb}, 8 concurrent requests and a cache for 4 models
     * (affinity policy). The caller closes it before the stack.
     */
    PackerGateway startGateway(int port, String group, int poolSize, int functionMemoryMb) throws Exception {
        return startGateway(port, group, poolSize, functionMemoryMb, java.util.Optional.empty());
    }

    /** As above; with {@code authToken}, callers of {@code /v1} and {@code /metrics} need it as a bearer token. */
    PackerGateway startGateway(int port, String group, int poolSize, int functionMemoryMb, java.util.Optional<String> authToken) throws Exception {
        GatewayConfig config = GatewayConfig.builder().bind(InetAddress.getLoopbackAddress(), port).group(group)
                .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(functionMemoryMb).withConcurrency(8)
                        .withInitParameters(initParameters(Map.of())))
                .policy("affinity", CostModel.builder().capacity(8).cacheSlots(4).build().policyConfig(poolSize)).authToken(authToken).build();
        return PackerGateway.start(config, platformClient);
    }

    private final KeyServiceConfig keyServiceConfig;

    /**
     * Stops the KeyService and starts it again on the same port with the same database and simulated TEE (so the same
     * measurement and sealing key), as an operator's restart would: runtimes must reconnect, and nothing stored is lost.
     */
    void restartKeyService() throws InterruptedException {
        ks.close();
        long deadline = SystemTime.ticker().read() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                ks = KeyServiceServer.start(keyServiceConfig);
                return;
            } catch (RuntimeException portNotFreeYet) {
                if (SystemTime.ticker().read() > deadline) {
                    throw portNotFreeYet;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Stops the platform (and every runtime process), the invoker and the KeyService; the state stays on disk. */
    @Override
    public void close() {
        closeAll(platform, invoker, ks);
    }

    private static void closeAll(PlatformServer p, ContainerPool pool, KeyServiceServer k) {
        try {
            if (p != null) {
                p.close();
            }
        } finally {
            try {
                if (pool != null) {
                    pool.close();
                }
            } finally {
                if (k != null) {
                    k.close();
                }
            }
        }
    }
}
