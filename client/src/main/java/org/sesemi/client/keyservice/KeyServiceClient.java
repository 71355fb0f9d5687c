package org.sesemi.client.keyservice;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;
import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.protocol.keyservice.WireFormatException;
import org.sesemi.protocol.keyservice.WireJson;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.time.SystemTime;

/**
 * Client of the KeyService {@code /v1} API over TLS 1.3 with RA-TLS server verification.
 *
 * <p>Every TLS handshake verifies the KeyService's RA-TLS certificate under the endpoint's
 * {@link org.sesemi.attestation.VerificationPolicy} (trust root, expected measurement, freshness) before a single
 * request byte is sent. The underlying {@link HttpClient} keeps connections alive, so a runtime pays for the
 * handshake once. Thread-safe; close it to release its connections.
 *
 * <p>Every method throws {@link KeyServiceException} on failure, with the server's reason code.
 */
public final class KeyServiceClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String JSON = "application/json";

    /** The response header carrying the KeyService's state version. */
    public static final String STATE_VERSION_HEADER = "SeSeMI-State-Version";

    private final HttpClient http;
    private final URI base;
    private final StateVersions versions;
    private volatile long lastStateVersion = -1;

    private KeyServiceClient(KeyServiceEndpoint endpoint, SSLContext ssl, StateVersions versions) {
        this.versions = versions;
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {"TLSv1.3"});
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .sslParameters(params)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        URI u = endpoint.baseUri();
        this.base = URI.create("https://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : ""));
    }

    /**
     * A client for an owner or user, authenticating with a self-signed certificate of its principal key; remembers
     * the KeyService's state versions for its own life only (see {@link #forPrincipal(KeyServiceEndpoint,
     * PrincipalIdentity, StateVersions)} to persist them).
     */
    public static KeyServiceClient forPrincipal(KeyServiceEndpoint endpoint, PrincipalIdentity identity) {
        return forPrincipal(endpoint, identity, StateVersions.inMemory());
    }

    /** As {@link #forPrincipal(KeyServiceEndpoint, PrincipalIdentity)}, refusing answers below {@code versions}. */
    public static KeyServiceClient forPrincipal(KeyServiceEndpoint endpoint, PrincipalIdentity identity, StateVersions versions) {
        X509Certificate cert = identity.selfSignedCertificate(Duration.ofDays(1));
        KeyManager km = RaTls.keyManager(identity.privateKey(), cert);
        return new KeyServiceClient(endpoint, RaTls.sslContext(km, RaTls.serverTrust(endpoint.policy())), versions);
    }

    /** A client for an attested runtime, authenticating with its RA-TLS certificate. */
    public static KeyServiceClient forRuntime(KeyServiceEndpoint endpoint, RaTlsIdentity identity) {
        return new KeyServiceClient(endpoint,
                RaTls.sslContext(identity.keyManager(), RaTls.serverTrust(endpoint.policy())), StateVersions.inMemory());
    }

    /** The KeyService's base URI as state versions are keyed ({@code https://host:port}). */
    public URI baseUri() {
        return base;
    }

    /** The state version of the last answer (-1 before the first). */
    public long lastStateVersion() {
        return lastStateVersion;
    }

    /** Registers the calling principal (idempotent). */
    public Registration register() {
        var r = call("POST", "/v1/register", Optional.of(new byte[] {'{', '}'}), Bodies.RegisterResponse.class);
        return new Registration(parse(() -> PrincipalId.parse(r.principal())), r.created());
    }

    /**
     * Stores a model key (owner only). The version is {@code key.version()}: a higher version rotates the key;
     * re-sending the current version with the same key is a no-op; anything else is a {@code conflict}.
     *
     * @return true if a new version was stored
     */
    public boolean putModelKey(ModelId model, ModelKey key) {
        byte[] raw = key.exportSecret();
        try {
            byte[] body = WireJson.write(new Bodies.ModelKeyPut(key.version(), Base64.getEncoder().encodeToString(raw)));
            return call("PUT", modelPath(model) + "/key", Optional.of(body), Bodies.ModelKeyPutResponse.class).created();
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Retires model key {@code version} (owner only): the KeyService deletes it and refuses releases of it from then on
     * ({@code key_retired}). The newest version cannot be retired ({@code conflict}).
     *
     * @return true if it was retired now, false if it was retired already
     */
    public boolean retireModelKey(ModelId model, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1");
        }
        return call("DELETE", modelPath(model) + "/key/" + version, Optional.empty(), Bodies.ModelKeyRetireResponse.class).retired();
    }

    /**
     * Grants runtimes that satisfy {@code measurement} (an exact measurement, or a signer / register rule) access to
     * {@code model} for {@code user} (owner only; idempotent).
     */
    public boolean addGrant(ModelId model, PrincipalId user, RuntimeRule measurement) {
        return call("PUT", grantPath(model, user, measurement), Optional.empty(), Bodies.WriteResponse.class).changed();
    }

    /** Revokes a grant (owner only). New releases are refused at once; cached keys expire within the TTL. */
    public boolean revokeGrant(ModelId model, PrincipalId user, RuntimeRule measurement) {
        return call("DELETE", grantPath(model, user, measurement), Optional.empty(), Bodies.WriteResponse.class).changed();
    }

    /** The grants of a model (owner only). */
    public List<Grant> listGrants(ModelId model) {
        var list = call("GET", modelPath(model) + "/grants", Optional.empty(), Bodies.GrantList.class);
        List<Grant> out = new ArrayList<>();
        for (var g : list.grants()) {
            out.add(parse(() -> new Grant(ModelId.parse(g.model()), PrincipalId.parse(g.user()), RuntimeRule.parse(g.measurement()))));
        }
        return List.copyOf(out);
    }

    /**
     * Stores the caller's request key for (model, runtime measurement or rule); replaces an earlier one. A runtime
     * admitted by a grant's rule receives the request key stored for that same rule.
     */
    public boolean putRequestKey(ModelId model, RuntimeRule measurement, RequestKey key) {
        byte[] raw = key.exportSecret();
        try {
            byte[] body = WireJson.write(new Bodies.RequestKeyPut(Base64.getEncoder().encodeToString(raw)));
            return call("PUT", requestKeyPath(model, measurement), Optional.of(body), Bodies.WriteResponse.class).changed();
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** Deletes the caller's request key for (model, runtime measurement). */
    public boolean deleteRequestKey(ModelId model, RuntimeRule measurement) {
        return call("DELETE", requestKeyPath(model, measurement), Optional.empty(), Bodies.WriteResponse.class).changed();
    }

    /** Audit events visible to the caller. */
    public List<AuditEvent> audit(AuditQuery query) {
        StringBuilder q = new StringBuilder("/v1/audit?limit=").append(query.limit()).append("&after=").append(query.afterSeq());
        query.model().ifPresent(m -> q.append("&model=").append(m));
        var list = call("GET", q.toString(), Optional.empty(), Bodies.AuditList.class);
        List<AuditEvent> out = new ArrayList<>();
        for (var e : list.events()) {
            out.add(parse(() -> new AuditEvent(e.seq(), Instant.parse(e.at()), e.event(), e.actor(),
                    Optional.ofNullable(e.model()).map(ModelId::parse),
                    Optional.ofNullable(e.user()).map(PrincipalId::parse),
                    Optional.ofNullable(e.measurement()).map(RuntimeRule::parse),
                    e.outcome(), Optional.ofNullable(e.reason()))));
        }
        return List.copyOf(out);
    }

    /**
     * Asks for the keys of (user, model) — attested runtimes only. The KeyService decides from the measurement in
     * this client's verified RA-TLS certificate.
     */
    public KeyRelease release(PrincipalId user, ModelId model) {
        return release(user, model, 0);
    }

    /**
     * Like {@link #release(PrincipalId, ModelId)}, for one model key version (e.g. the version in the header of the
     * model file at hand while the owner rotates keys); {@code version} 0 = the newest. A version that is not stored
     * is refused with {@code no_model_key}.
     */
    public KeyRelease release(PrincipalId user, ModelId model, int version) {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0 (0 = newest)");
        }
        Instant sent = SystemTime.clock().instant();
        byte[] body = WireJson.write(new Bodies.ReleaseRequest(user.hex(), model.toString(), version));
        var r = call("POST", "/v1/release", Optional.of(body), Bodies.ReleaseResponse.class);
        if (!r.model().equals(model.toString()) || !r.user().equals(user.hex()) || r.ttlSeconds() < 0
                || version != 0 && r.modelKeyVersion() != version) {
            throw new KeyServiceException(200, KeyServiceException.BAD_RESPONSE, "release answer is for another (user, model)");
        }
        return parse(() -> {
            byte[] mk = Base64.getDecoder().decode(r.modelKey());
            byte[] rk = Base64.getDecoder().decode(r.requestKey());
            try {
                return new KeyRelease(ModelKey.fromSecret(mk, r.modelKeyVersion()), RequestKey.fromSecret(rk),
                        sent.plusSeconds(r.ttlSeconds()));
            } finally {
                java.util.Arrays.fill(mk, (byte) 0);
                java.util.Arrays.fill(rk, (byte) 0);
            }
        });
    }

    /** {@code GET /health} (no client certificate needed, but the server's evidence is still verified). */
    public Bodies.Health health() {
        return call("GET", "/health", Optional.empty(), Bodies.Health.class);
    }

    private static String modelPath(ModelId model) {
        return "/v1/models/" + model.owner().hex() + "/" + model.name();
    }

    private static String grantPath(ModelId model, PrincipalId user, RuntimeRule m) {
        return modelPath(model) + "/grants/" + user.hex() + "/" + m.value();
    }

    private static String requestKeyPath(ModelId model, RuntimeRule m) {
        return modelPath(model) + "/request-keys/" + m.value();
    }

    private <T> T call(String method, String path, Optional<byte[]> body, Class<T> type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Accept", JSON);
        if (body.isPresent()) {
            b.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(body.get()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long floor = versions.highest(base.toString()); // what this answer must not go below (see StateVersions.observe)
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyServiceException(0, KeyServiceException.UNREACHABLE, "interrupted");
        } catch (IOException e) {
            throw transportFailure(e);
        }
        checkStateVersion(resp, floor);
        if (resp.statusCode() / 100 != 2) {
            throw serverError(resp);
        }
        try {
            return WireJson.read(resp.body(), type);
        } catch (WireFormatException e) {
            throw new KeyServiceException(resp.statusCode(), KeyServiceException.BAD_RESPONSE, "KeyService answer: " + e.getMessage());
        }
    }

    /**
     * Every answer carries the state version; one below the highest version seen before its request was sent is refused
     * (a rolled-back database). Concurrent answers may arrive out of order, so they are not compared with each other.
     */
    private void checkStateVersion(HttpResponse<byte[]> resp, long floor) {
        String v = resp.headers().firstValue(STATE_VERSION_HEADER).orElseThrow(() -> new KeyServiceException(resp.statusCode(),
                KeyServiceException.BAD_RESPONSE, "KeyService answer without a " + STATE_VERSION_HEADER + " header"));
        long version;
        try {
            version = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new KeyServiceException(resp.statusCode(), KeyServiceException.BAD_RESPONSE, "invalid " + STATE_VERSION_HEADER + " header");
        }
        if (version < 0) {
            throw new KeyServiceException(resp.statusCode(), KeyServiceException.BAD_RESPONSE, "invalid " + STATE_VERSION_HEADER + " header");
        }
        versions.observe(base.toString(), version, floor);
        lastStateVersion = version;
    }

    private static KeyServiceException serverError(HttpResponse<byte[]> resp) {
        try {
            Bodies.ErrorResponse err = WireJson.read(resp.body(), Bodies.ErrorResponse.class);
            if (err.error() != null && err.error().reason() != null) {
                String reason = err.error().reason().replaceAll("[^a-z_]", "");
                String msg = err.error().message() == null ? reason : err.error().message();
                return new KeyServiceException(resp.statusCode(), reason, clip(msg));
            }
        } catch (WireFormatException ignored) {
            // fall through: not our error format (e.g. a proxy); report the status only
        }
        return new KeyServiceException(resp.statusCode(), KeyServiceException.BAD_RESPONSE,
                "KeyService answered HTTP " + resp.statusCode() + " without an error body");
    }

    private static KeyServiceException transportFailure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AttestationException a) {
                return new KeyServiceException(0, KeyServiceException.KS_EVIDENCE_REJECTED,
                        "KeyService evidence rejected (" + a.code() + a.tcbStatus().map(st -> ", evaluated TCB status " + st
                                + (a.advisoryIds().isEmpty() ? "" : " " + a.advisoryIds())).orElse("") + "): " + a.getMessage(), e);
            }
        }
        if (e instanceof SSLHandshakeException || e.getCause() instanceof SSLHandshakeException) {
            return new KeyServiceException(0, KeyServiceException.HANDSHAKE_FAILED, "TLS handshake failed: " + e.getMessage(), e);
        }
        if (e instanceof HttpTimeoutException) {
            return new KeyServiceException(0, KeyServiceException.UNREACHABLE, "KeyService did not answer in time", e);
        }
        if (e instanceof ConnectException) {
            return new KeyServiceException(0, KeyServiceException.UNREACHABLE, "cannot connect to the KeyService", e);
        }
        return new KeyServiceException(0, KeyServiceException.UNREACHABLE,
                "KeyService connection failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T parse(Parse<T> p) {
        try {
            return p.get();
        } catch (CryptoException | AttestationException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new KeyServiceException(200, KeyServiceException.BAD_RESPONSE, "KeyService answer has an invalid field: " + e.getMessage());
        }
    }

    private static String clip(String s) {
        String p = s.replaceAll("\\p{Cntrl}", " ");
        return p.length() > 300 ? p.substring(0, 300) + "..." : p;
    }

    @Override
    public void close() {
        http.close();
    }
}
