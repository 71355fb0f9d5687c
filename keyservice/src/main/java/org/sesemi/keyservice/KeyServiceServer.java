package org.sesemi.keyservice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.TeeProviders;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.collateral.CollateralStats;
import org.sesemi.attestation.collateral.ManagedCollateralSource;
import org.sesemi.attestation.collateral.PeerVerification;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.SgxReportBody;
import org.sesemi.attestation.dcap.TdReportBody;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.http.HttpService;
import org.sesemi.keyservice.core.KeyServiceCore;
import org.sesemi.keyservice.http.KeyServiceHttp;
import org.sesemi.keyservice.http.KsMetrics;
import org.sesemi.keyservice.http.RateLimiter;
import org.sesemi.keyservice.store.KeyStore;
import org.sesemi.time.SystemTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running KeyService: TEE provider → sealing key → SQLite store → core → HTTPS (TLS 1.3, RA-TLS server
 * certificate, client certificates requested) on virtual threads.
 *
 * <p>Client certificates are <em>requested</em>, not required, so {@code /health} and {@code /metrics} work for
 * monitoring without one; every {@code /v1} call without one is refused with {@code unauthenticated}. A presented
 * certificate is judged by {@link ClientCertificates}: plain self-signed certificates identify principals, RA-TLS
 * certificates must verify under the runtime policy, and a failure becomes a typed HTTP refusal.
 */
public final class KeyServiceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyServiceServer.class);

    private final KeyServiceConfig config;
    private final TeeProvider tee;
    private final Measurement measurement;
    private final KeyStore store;
    private final HttpService server;
    private final ScheduledExecutorService rotation;
    private final RotatingServerKeyManager keyManager;
    private final KsMetrics metrics;
    private final KeyServiceCore core;
    private final Optional<ManagedCollateralSource> collateral;

    private KeyServiceServer(KeyServiceConfig config) throws IOException {
        this.config = config;
        this.tee = TeeProviders.create(config.tee());
        this.measurement = measurementOf(tee);
        if (tee.isSimulated()) {
            LOG.warn("KeyService runs in a SIMULATED TEE: no hardware protection of keys (measurement {})", measurement);
        }
        VerificationPolicy runtimePolicy = config.runtimePolicy().orElseGet(() -> tee instanceof SimulatedTee s
                ? VerificationPolicy.simulated(s) : VerificationPolicy.defaults());
        if (config.runtimePolicy().isEmpty() || config.runtimeVerification().collateral().isPresent()) {
            PeerVerification.Applied applied = config.runtimeVerification().apply(runtimePolicy, tee, SystemTime.clock());
            runtimePolicy = applied.policy();
            this.collateral = Optional.of(applied.source());
            LOG.info("runtime quotes are verified with collateral from {} (accepted TCB statuses {})",
                    applied.setting().describe(), new java.util.TreeSet<>(runtimePolicy.acceptedTcbStatuses()));
        } else {
            this.collateral = Optional.empty();
        }
        try {
            this.store = KeyStore.open(config.database(), tee.sealingKey(), SystemTime.clock(), config.expectStateVersion());
        } catch (RuntimeException e) {
            collateral.ifPresent(ManagedCollateralSource::close);
            throw e;
        }
        try {
            KeyServiceCore core = new KeyServiceCore(store, config.releaseTtl(), SystemTime.clock(), config.releaseAuditFsync());
            this.metrics = new KsMetrics();
            collateral.ifPresent(c -> metrics.collateral(c::stats));
            this.keyManager = new RotatingServerKeyManager(tee, config.certificateValidity());
            ClientCertificates clients = new ClientCertificates(runtimePolicy);
            SSLContext ssl = RaTls.sslContext(keyManager, clients.trustManager());
            var http = new KeyServiceHttp(core, clients.resolver(),
                    new RateLimiter(config.ratePerSecond(), config.rateBurst(), SystemTime.ticker()), metrics,
                    config.maxBodyBytes(), new KeyServiceHttp.HealthInfo(tee.name(), tee.isSimulated(), measurement, store::ping));
            // TLS 1.3 only; client certificates requested, not required (monitoring needs none)
            this.server = http.configure(HttpService.builder("keyservice").bind(InetAddress.getByName(config.host()), config.port())
                    .backlog(512).tls(ssl, p -> {
                        p.setProtocols(new String[] {"TLSv1.3"});
                        p.setWantClientAuth(true);
                    })).start();
            long every = Math.max(60, config.certificateValidity().toSeconds() / 2);
            this.rotation = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ks-cert-rotation").daemon(true).factory());
            rotation.scheduleAtFixedRate(this::rotateQuietly, every, every, TimeUnit.SECONDS);
            // Summaries of repeated release denials whose window is over (KeyServiceCore.DENIAL_AUDIT_WINDOW).
            rotation.scheduleAtFixedRate(() -> flushDenialsQuietly(false), 10, 10, TimeUnit.SECONDS);
            this.core = core;
        } catch (IOException | RuntimeException e) {
            store.close();
            collateral.ifPresent(ManagedCollateralSource::close);
            throw e;
        }
        LOG.info("KeyService listening on https://{}:{} (TEE {}, measurement {}, state version {})", config.host(), port(), tee.name(),
                measurement, store.stateVersion());
    }

    /** Starts a KeyService; throws if the port, the TEE or the store is unavailable. */
    public static KeyServiceServer start(KeyServiceConfig config) {
        try {
            return new KeyServiceServer(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the KeyService on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** Our own measurement, read from a quote of our own TEE (nothing to verify: it is our own hardware's answer). */
    static Measurement measurementOf(TeeProvider tee) {
        if (tee instanceof SimulatedTee s) {
            return s.measurement();
        }
        return switch (Quote.parse(tee.quote(new byte[64])).body()) {
            case SgxReportBody sgx -> Measurement.sgx(sgx.mrEnclave());
            case TdReportBody td -> Measurement.tdx(td.mrTd(), td.rtmr(0), td.rtmr(1), td.rtmr(2), td.rtmr(3));
        };
    }

    private void rotateQuietly() {
        try {
            keyManager.rotate();
        } catch (RuntimeException e) {
            LOG.error("could not re-issue the RA-TLS certificate: {}", e.toString());
        }
    }

    public int port() {
        return server.port();
    }

    /** {@code https://host:port}. */
    public URI uri() {
        return URI.create("https://" + config.host() + ":" + port());
    }

    /** The KeyService's own measurement, which clients pin. */
    public Measurement measurement() {
        return measurement;
    }

    public TeeProvider tee() {
        return tee;
    }

    public KeyStore store() {
        return store;
    }

    private void flushDenialsQuietly(boolean all) {
        try {
            core.flushDenialAudit(all);
        } catch (RuntimeException e) {
            LOG.error("could not write the audit summary of repeated denials: {}", e.toString());
        }
    }

    @Override
    public void close() {
        rotation.shutdownNow();
        flushDenialsQuietly(true);
        server.close();
        store.close();
        collateral.ifPresent(ManagedCollateralSource::close);
    }

    /** What the collateral source for runtimes' quotes has done (empty when an explicit policy brings its own). */
    public Optional<CollateralStats> collateralStats() {
        return collateral.map(ManagedCollateralSource::stats);
    }
}
