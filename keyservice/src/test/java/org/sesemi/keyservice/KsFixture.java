package org.sesemi.keyservice;

import java.nio.file.Path;
import java.time.Duration;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.PrincipalIdentity;

/**
 * A real KeyService on a loopback ephemeral port in the SIMULATED TEE, plus helpers to build principal and runtime
 * clients that verify its RA-TLS evidence (trusting the simulated root and pinning its measurement).
 */
public final class KsFixture implements AutoCloseable {
    public final Path dir;
    public final Path teeDir;
    public final KeyServiceServer server;
    public final KeyServiceEndpoint endpoint;

    public KsFixture(Path dir) {
        this(dir, c -> c);
    }

    public KsFixture(Path dir, java.util.function.UnaryOperator<KeyServiceConfig.Builder> tweak) {
        this.dir = dir;
        this.teeDir = dir.resolve("tee");
        KeyServiceConfig.Builder cfg = KeyServiceConfig.builder().port(0).database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(teeDir, "keyservice")).rateLimit(0, 1);
        this.server = KeyServiceServer.start(tweak.apply(cfg).build());
        this.endpoint = new KeyServiceEndpoint(server.uri(), clientPolicy());
    }

    /** What owners, users and runtimes accept: the simulated root, and exactly this KeyService's measurement. */
    public VerificationPolicy clientPolicy() {
        return VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(server.measurement()).build();
    }

    public KeyServiceClient principal(PrincipalIdentity id) {
        return KeyServiceClient.forPrincipal(endpoint, id);
    }

    /** A simulated runtime TEE with this role (distinct roles = distinct measurements). */
    public SimulatedTee runtimeTee(String role) {
        return SimulatedTee.open(teeDir, role);
    }

    public RaTlsIdentity runtimeIdentity(String role) {
        return RaTls.issue(runtimeTee(role), Duration.ofHours(1));
    }

    public KeyServiceClient runtime(String role) {
        return KeyServiceClient.forRuntime(endpoint, runtimeIdentity(role));
    }

    @Override
    public void close() {
        server.close();
    }
}
