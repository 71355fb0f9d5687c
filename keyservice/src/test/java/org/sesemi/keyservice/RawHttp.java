package org.sesemi.keyservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLParameters;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.crypto.PrincipalIdentity;

/** A test client that sends arbitrary (also malformed) requests over real RA-TLS and shows what came back. */
final class RawHttp implements AutoCloseable {
    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        String reason() {
            try {
                JsonNode n = new ObjectMapper().readTree(body);
                return n.path("error").path("reason").asText("");
            } catch (Exception e) {
                return "<not json>";
            }
        }
    }

    private final HttpClient http;
    private final URI base;

    RawHttp(URI base, VerificationPolicy ksPolicy, KeyManager km) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        this.http = HttpClient.newBuilder().sslContext(RaTls.sslContext(km, RaTls.serverTrust(ksPolicy))).sslParameters(p)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        this.base = base;
    }

    static RawHttp principal(KsFixture ks, PrincipalIdentity id) {
        return new RawHttp(ks.server.uri(), ks.clientPolicy(),
                RaTls.keyManager(id.privateKey(), id.selfSignedCertificate(Duration.ofHours(1))));
    }

    static RawHttp anonymous(KsFixture ks) {
        return new RawHttp(ks.server.uri(), ks.clientPolicy(), null);
    }

    Response send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    Response json(String method, String path, String body) {
        return send(method, path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    Response get(String path) {
        return send("GET", path, null, null);
    }

    @Override
    public void close() {
        http.close();
    }
}
