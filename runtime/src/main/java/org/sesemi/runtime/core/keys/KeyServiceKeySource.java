package org.sesemi.runtime.core.keys;

import org.sesemi.runtime.core.RefusedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;
import org.sesemi.client.keyservice.KeyRelease;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * The production {@link KeySource}: the KeyService over one persistent, mutually attested RA-TLS connection
 * ({@link KeyServiceClient#forRuntime}). The runtime's RA-TLS certificate is re-issued (fresh quote) every
 * {@code identityRefresh}, well inside the KeyService's evidence-age limit. Thread-safe.
 */
public final class KeyServiceKeySource implements KeySource, AutoCloseable {
    /** KeyService reason codes that mean "no, for this (user, model)" rather than "cannot reach / try again". */
    private static final Set<String> DENIALS = Set.of("no_grant", "no_request_key", "no_model_key", "unknown_model",
            "attestation_rejected", "unauthenticated", "forbidden", "not_found", "key_retired");

    private final KeyServiceEndpoint endpoint;
    private final TeeProvider tee;
    private final Duration identityRefresh;
    private final Clock clock;
    private KeyServiceClient client;
    private Instant issuedAt;

    private RaTlsIdentity prepared;

    public KeyServiceKeySource(KeyServiceEndpoint endpoint, TeeProvider tee, Duration identityRefresh, Clock clock) {
        this.endpoint = endpoint;
        this.tee = tee;
        this.identityRefresh = identityRefresh;
        this.clock = clock;
    }

    /**
     * As above, with the first RA-TLS identity already issued by {@code tee} (e.g. while the KeyService's policy was being
     * built, {@code CoreInit}); it counts as issued now and must be valid for twice {@code identityRefresh} (see
     * {@link #identityValidity}). Later identities are issued here as usual.
     */
    public KeyServiceKeySource(KeyServiceEndpoint endpoint, TeeProvider tee, Duration identityRefresh, Clock clock, RaTlsIdentity first) {
        this(endpoint, tee, identityRefresh, clock);
        this.prepared = java.util.Objects.requireNonNull(first, "first");
    }

    /** The validity of the RA-TLS certificates issued for {@code identityRefresh}: twice it, so a refresh always comes first. */
    public static Duration identityValidity(Duration identityRefresh) {
        return identityRefresh.multipliedBy(2);
    }

    private synchronized KeyServiceClient client() {
        Instant now = clock.instant();
        if (client == null || now.isAfter(issuedAt.plus(identityRefresh))) {
            if (client != null) {
                client.close();
            }
            RaTlsIdentity id = prepared != null ? prepared : RaTls.issue(tee, identityValidity(identityRefresh));
            prepared = null;
            client = KeyServiceClient.forRuntime(endpoint, id);
            issuedAt = now;
        }
        return client;
    }

    /**
     * Opens the attested connection now (TLS handshake with RA-TLS on both sides, KeyService evidence verified
     * against the expected measurement) so that a misconfigured or unreachable KeyService fails initialisation
     * instead of the first request, and the handshake cost lands in the cold start, not in a request.
     *
     * @throws RefusedException {@code unavailable} with the KeyService client's reason (e.g. {@code ks_evidence_rejected})
     */
    public void connect() {
        try {
            client().health();
        } catch (KeyServiceException e) {
            throw RefusedException.unavailable(KeySource.UNAVAILABLE, "cannot reach an acceptable KeyService at " + endpoint.baseUri() + " ("
                    + e.reason() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public ReleasedKeys release(PrincipalId user, ModelId model, int version) {
        try {
            KeyRelease r = client().release(user, model, version);
            return new ReleasedKeys(r.modelKey(), r.requestKey(), r.expiresAt());
        } catch (KeyServiceException e) {
            if (DENIALS.contains(e.reason())) {
                throw RefusedException.denied(e.reason(), "the KeyService refused (" + e.reason() + ")");
            }
            if (e.reason().equals("rate_limited")) {
                // Reachable, but refusing this runtime's pace: say so instead of "unavailable".
                throw RefusedException.unavailable("keyservice_rate_limited", "the KeyService rate-limited this runtime (HTTP "
                        + e.status() + "); retry later", e);
            }
            throw RefusedException.unavailable(KeySource.UNAVAILABLE, "KeyService unavailable (" + e.reason() + ", HTTP " + e.status() + ")", e);
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
