package org.sesemi.client.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An API host with a self-signed certificate, as real clusters often have: reachable only when told to trust it. */
class OpenWhiskClientTlsTest {
    static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret-key-value";
    @TempDir Path dir;
    HttpsServer server;
    X509Certificate serverCert;

    @BeforeEach
    void start() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
        serverCert = selfSigned(keys);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", keys.getPrivate(), new char[0], new X509Certificate[] {serverCert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", ex -> {
            byte[] out = "[]".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI host() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void aSelfSignedApiHostIsRefusedByDefaultAndReachedWhenItsCertificateIsTrusted() throws Exception {
        assertThatThrownBy(() -> new OpenWhiskClient(host(), KEY, "_").listActions(0, 10)).isInstanceOf(IOException.class);

        Path pem = Files.writeString(dir.resolve("api-host.pem"), pem(serverCert));
        OpenWhiskClient trusting = new OpenWhiskClient(host(), KEY, "_", Duration.ofSeconds(10), OpenWhiskClient.trusting(pem));
        assertThat(trusting.listActions(0, 10)).isEmpty();
    }

    @Test
    void anotherCertificateDoesNotMakeTheHostTrusted() throws Exception {
        Path other = Files.writeString(dir.resolve("other.pem"), pem(selfSigned(KeyPairGenerator.getInstance("EC").generateKeyPair())));
        OpenWhiskClient client = new OpenWhiskClient(host(), KEY, "_", Duration.ofSeconds(10), OpenWhiskClient.trusting(other));
        assertThatThrownBy(() -> client.listActions(0, 10)).isInstanceOf(IOException.class);
    }

    @Test
    void aFileWithoutCertificatesIsAClearError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertThatThrownBy(() -> OpenWhiskClient.trusting(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> OpenWhiskClient.trusting(dir.resolve("missing.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.pem");
    }

    private static X509Certificate selfSigned(KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=openwhisk.test");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
