package org.sesemi.attestation.collateral;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.dcap.CertChains;

/**
 * Fetches collateral from Intel's Provisioning Certification Service or a PCCS over the API v4 paths:
 * {@code /sgx/certification/v4/pckcrl?ca=processor|platform&encoding=der} (issuer chain in header
 * {@code SGX-PCK-CRL-Issuer-Chain}), {@code /{sgx|tdx}/certification/v4/tcb?fmspc=…} (body {@code {"tcbInfo":…,
 * "signature":…}}, chain in {@code TCB-Info-Issuer-Chain}), {@code /{sgx|tdx}/certification/v4/qe/identity} (body
 * {@code {"enclaveIdentity":…,"signature":…}}, chain in {@code SGX-Enclave-Identity-Issuer-Chain}) and the root CA CRL
 * (a PCCS serves it at {@code /sgx/certification/v4/rootcacrl}; Intel publishes it on its certificates host).
 *
 * <p>The signed documents are kept as the exact bytes of the response (never re-serialised), because Intel's
 * signature covers those bytes. CRLs are accepted as DER, PEM or hex text: PCS and PCCS versions differ. Each call
 * blocks for at most the timeout per request; callers run it off the request path ({@link CachingCollateralSource}).
 * Thread-safe.
 */
public final class PccsClient implements CollateralFetcher {
    /** Intel's Provisioning Certification Service. */
    public static final URI INTEL_PCS = URI.create("https://api.trustedservices.intel.com");
    /** Where Intel publishes the SGX Root CA CRL (DER). */
    public static final URI INTEL_ROOT_CA_CRL = URI.create("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");
    private static final JsonFactory JSON = new JsonFactory();

    private final URI base;
    private final URI rootCaCrl;
    private final HttpClient http;
    private final Duration timeout;

    public PccsClient(URI base, URI rootCaCrl, HttpClient http, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.rootCaCrl = rootCaCrl;
        this.http = http;
        this.timeout = timeout;
        String scheme = this.base.getScheme() == null ? "" : this.base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("PCCS URL must be http(s)://host[:port]: " + base);
        }
    }

    /** A PCCS at {@code base} (e.g. {@code https://pccs.example:8081}), root CA CRL from the same PCCS. */
    public static PccsClient pccs(URI base) {
        String b = base.toString().replaceAll("/+$", "");
        return new PccsClient(base, URI.create(b + "/sgx/certification/v4/rootcacrl"), defaultHttp(), Duration.ofSeconds(10));
    }

    /** Intel's PCS directly (no API key is needed for collateral). */
    public static PccsClient intelPcs() {
        return new PccsClient(INTEL_PCS, INTEL_ROOT_CA_CRL, defaultHttp(), Duration.ofSeconds(10));
    }

    private static HttpClient defaultHttp() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @Override
    public String describe() {
        return base.toString();
    }

    @Override
    public Collateral fetch(TeeType tee, String fmspcHex, String pckCa) {
        String fmspc = fmspcHex.toLowerCase(Locale.ROOT);
        if (!fmspc.matches("[0-9a-f]{12}")) {
            throw new AttestationException(Reason.MALFORMED, "FMSPC must be 12 hex characters");
        }
        if (!pckCa.equals("processor") && !pckCa.equals("platform")) {
            throw new AttestationException(Reason.MALFORMED, "PCK CA must be processor or platform");
        }
        String t = tee == TeeType.SGX ? "sgx" : "tdx";
        Fetched crl = get(URI.create(base + "/sgx/certification/v4/pckcrl?ca=" + pckCa + "&encoding=der"));
        List<X509Certificate> crlChain = chain(crl, "PCK CRL", "SGX-PCK-CRL-Issuer-Chain");
        byte[] pckCrl = crlBytes(crl.body(), "PCK CRL");
        Fetched tcb = get(URI.create(base + "/" + t + "/certification/v4/tcb?fmspc=" + fmspc));
        List<X509Certificate> tcbChain = chain(tcb, "TCB info", "TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain");
        Signed tcbInfo = signed(tcb.body(), "tcbInfo", "TCB info");
        Fetched qe = get(URI.create(base + "/" + t + "/certification/v4/qe/identity"));
        List<X509Certificate> qeChain = chain(qe, "QE identity", "SGX-Enclave-Identity-Issuer-Chain");
        Signed qeIdentity = signed(qe.body(), "enclaveIdentity", "QE identity");
        byte[] rootCrl = crlBytes(get(rootCaCrl).body(), "root CA CRL");
        return Collateral.of(crlChain, rootCrl, pckCrl, tcbChain, tcbInfo.json(), tcbInfo.signature(), qeChain,
                qeIdentity.json(), qeIdentity.signature());
    }

    private Fetched get(URI uri) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "*/*").GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "GET " + uri + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "GET " + uri + " interrupted");
        }
        byte[] body;
        try (InputStream in = resp.body()) {
            body = in.readNBytes(Collateral.MAX_BYTES + 1);
        } catch (IOException e) {
            throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "GET " + uri + ": reading the body failed");
        }
        if (resp.statusCode() != 200) {
            throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "GET " + uri + " answered HTTP " + resp.statusCode()
                    + (resp.statusCode() == 404 ? " (no collateral for this platform there)" : ""));
        }
        if (body.length > Collateral.MAX_BYTES) {
            throw new AttestationException(Reason.MALFORMED, "GET " + uri + ": body larger than " + Collateral.MAX_BYTES + " bytes");
        }
        return new Fetched(body, resp.headers());
    }

    private static List<X509Certificate> chain(Fetched r, String what, String... headers) {
        for (String h : headers) {
            Optional<String> v = r.headers().firstValue(h);
            if (v.isPresent()) {
                String pem = URLDecoder.decode(v.get(), StandardCharsets.UTF_8);
                return CertChains.parsePem(pem.getBytes(StandardCharsets.ISO_8859_1), Reason.MALFORMED,
                        what + " issuer chain (header " + h + ")");
            }
        }
        throw new AttestationException(Reason.MALFORMED, what + ": response lacks the " + headers[0] + " header");
    }

    /** DER as is; PEM or hex text decoded. */
    static byte[] crlBytes(byte[] body, String what) {
        if (body.length > 0 && body[0] == 0x30) {
            return body;
        }
        String s = new String(body, StandardCharsets.ISO_8859_1).strip();
        if (s.startsWith("-----BEGIN X509 CRL-----")) {
            int end = s.indexOf("-----END X509 CRL-----");
            if (end > 0) {
                return Base64.getMimeDecoder().decode(s.substring("-----BEGIN X509 CRL-----".length(), end));
            }
        }
        try {
            byte[] der = HexFormat.of().parseHex(s);
            if (der.length > 0 && der[0] == 0x30) {
                return der;
            }
        } catch (IllegalArgumentException notHex) {
            // fall through
        }
        throw new AttestationException(Reason.MALFORMED, what + " is neither DER, PEM nor hex");
    }

    record Signed(byte[] json, byte[] signature) {}

    /**
     * The exact bytes of the object under {@code key} and the hex {@code signature} next to it, from a body like
     * {@code {"tcbInfo":{…},"signature":"…"}}.
     */
    static Signed signed(byte[] body, String key, String what) {
        byte[] json = null;
        byte[] signature = null;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new AttestationException(Reason.MALFORMED, what + ": response is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(key) && v == JsonToken.START_OBJECT) {
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    p.skipChildren();
                    int end = (int) p.currentLocation().getByteOffset();
                    json = Arrays.copyOfRange(body, start, end);
                } else if (name.equals("signature") && v == JsonToken.VALUE_STRING) {
                    try {
                        signature = HexFormat.of().parseHex(p.getText().strip());
                    } catch (IllegalArgumentException e) {
                        throw new AttestationException(Reason.MALFORMED, what + ": signature is not hex");
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new AttestationException(Reason.MALFORMED, what + ": response is not valid JSON");
        }
        if (json == null || signature == null || signature.length != 64) {
            throw new AttestationException(Reason.MALFORMED, what + ": response lacks '" + key
                    + "' or a 64-byte hex 'signature'");
        }
        return new Signed(json, signature);
    }

    /** A 200 answer: its body (size-bounded) and headers. */
    private record Fetched(byte[] body, java.net.http.HttpHeaders headers) {}
}
