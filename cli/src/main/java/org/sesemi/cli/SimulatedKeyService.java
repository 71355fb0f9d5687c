package org.sesemi.cli;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;

/**
 * The KeyService steps that the embedded stack ({@code sesemi up}, the demo, {@code bench platform} and
 * {@code bench packer}) and {@code bench keyservice} share: a KeyService in the <b>simulated</b> TEE on loopback, how a
 * client in this process trusts it (the simulated root and the pinned measurement), and the owner's and user's calls
 * that let runtimes of given measurements serve a model to the user.
 */
final class SimulatedKeyService {
    /** The simulated TEE identity (under the TEE directory) the KeyService runs as. */
    static final String TEE_NAME = "keyservice";

    private SimulatedKeyService() {}

    /** A KeyService on 127.0.0.1:{@code port} (0: any free port) with its database and simulated TEE state in these places. */
    static KeyServiceConfig config(Path database, Path teeDir, int port) {
        return KeyServiceConfig.builder().host("127.0.0.1").port(port).database(database)
                .tee(TeeConfig.simulated(teeDir, TEE_NAME)).build();
    }

    /** How a client in this process reaches {@code server} and verifies it: the simulated root and the server's measurement. */
    static KeyServiceEndpoint endpoint(KeyServiceServer server, Path teeDir) {
        return new KeyServiceEndpoint(server.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, TEE_NAME)).toBuilder()
                .expectMeasurement(server.measurement()).build());
    }

    /** Registers each principal with the KeyService. */
    static void register(KeyServiceEndpoint endpoint, PrincipalIdentity... principals) {
        for (PrincipalIdentity p : principals) {
            try (KeyServiceClient c = KeyServiceClient.forPrincipal(endpoint, p)) {
                c.register();
            }
        }
    }

    /**
     * The owner stores {@code modelKey} for {@code model} (when given) and grants the model to {@code user} for each
     * runtime measurement, and the user registers {@code requestKey} for each: what a runtime of one of those
     * measurements needs to serve the user's requests.
     */
    static void share(KeyServiceEndpoint endpoint, PrincipalIdentity owner, PrincipalIdentity user, ModelId model,
            Optional<ModelKey> modelKey, Collection<Measurement> runtimes, RequestKey requestKey) {
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner);
                KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
            modelKey.ifPresent(k -> o.putModelKey(model, k));
            for (Measurement m : runtimes) {
                o.addGrant(model, user.id(), m);
                u.putRequestKey(model, m, requestKey);
            }
        }
    }
}
