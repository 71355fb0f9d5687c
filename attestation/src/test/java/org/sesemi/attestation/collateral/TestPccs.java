package org.sesemi.attestation.collateral;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.tee.Pki;

/**
 * A PCCS on loopback speaking the API v4 paths, serving whatever collateral a test puts in (e.g. the real collateral of
 * the shared test vectors, taken apart into the PCCS responses). Records every request path.
 */
final class TestPccs implements AutoCloseable {
    enum Mode { SERVE, NOT_FOUND, WRONG_SIGNER }

    private final HttpServer server;
    private final Map<String, Collateral> byTeeAndFmspc = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile Mode mode = Mode.SERVE;

    TestPccs() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves {@code c} for ({@code tee}, {@code fmspc}); the QE identity and CRLs of the last put per TEE win. */
    void put(String tee, String fmspc, Collateral c) {
        byTeeAndFmspc.put(tee + "/" + fmspc.toLowerCase(), c);
        byTeeAndFmspc.put(tee + "/qe", c);
        byTeeAndFmspc.put("crl/" + (c.pckCrl().getIssuerX500Principal().getName().contains("Platform") ? "platform" : "processor"), c);
        byTeeAndFmspc.put("root", c);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
        requests.add(path + "?" + query);
        try (ex) {
            if (mode == Mode.NOT_FOUND) {
                send(ex, 404, new byte[0]);
                return;
            }
            String[] seg = path.split("/");
            // /{sgx|tdx}/certification/v4/{pckcrl|tcb|qe/identity|rootcacrl}
            if (seg.length < 5 || !seg[2].equals("certification") || !seg[3].equals("v4")) {
                send(ex, 404, new byte[0]);
                return;
            }
            String tee = seg[1];
            String what = String.join("/", java.util.Arrays.copyOfRange(seg, 4, seg.length));
            Collateral c;
            switch (what) {
                case "pckcrl" -> {
                    String ca = param(query, "ca");
                    c = byTeeAndFmspc.get("crl/" + ca);
                    if (c == null) {
                        send(ex, 404, new byte[0]);
                        return;
                    }
                    ex.getResponseHeaders().add("SGX-PCK-CRL-Issuer-Chain", enc(c.pckCrlIssuerChain()));
                    send(ex, 200, c.pckCrl().getEncoded());
                }
                case "tcb" -> {
                    c = byTeeAndFmspc.get(tee + "/" + param(query, "fmspc").toLowerCase());
                    if (c == null) {
                        send(ex, 404, new byte[0]);
                        return;
                    }
                    byte[] sig = mode == Mode.WRONG_SIGNER ? Ecdsa.sign(otherKey().getPrivate(), c.tcbInfoJson()) : c.tcbInfoSignature();
                    ex.getResponseHeaders().add("TCB-Info-Issuer-Chain", enc(c.tcbInfoIssuerChain()));
                    send(ex, 200, body("tcbInfo", c.tcbInfoJson(), sig));
                }
                case "qe/identity" -> {
                    c = byTeeAndFmspc.get(tee + "/qe");
                    if (c == null) {
                        send(ex, 404, new byte[0]);
                        return;
                    }
                    ex.getResponseHeaders().add("SGX-Enclave-Identity-Issuer-Chain", enc(c.qeIdentityIssuerChain()));
                    send(ex, 200, body("enclaveIdentity", c.qeIdentityJson(), c.qeIdentitySignature()));
                }
                case "rootcacrl" -> {
                    c = byTeeAndFmspc.get("root");
                    // Served as hex text, as some PCCS versions do.
                    send(ex, 200, HexFormat.of().formatHex(c.rootCaCrl().getEncoded()).getBytes(StandardCharsets.US_ASCII));
                }
                default -> send(ex, 404, new byte[0]);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static byte[] body(String key, byte[] json, byte[] sig) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(("{\"" + key + "\":").getBytes(StandardCharsets.UTF_8));
        parts.add(json);
        parts.add((",\"signature\":\"" + HexFormat.of().formatHex(sig) + "\"}").getBytes(StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static KeyPair otherKey() throws java.security.GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String enc(List<X509Certificate> chain) {
        return URLEncoder.encode(Pki.pem(chain), StandardCharsets.UTF_8);
    }

    private static String param(String query, String name) {
        for (String kv : query.split("&")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        return "";
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
