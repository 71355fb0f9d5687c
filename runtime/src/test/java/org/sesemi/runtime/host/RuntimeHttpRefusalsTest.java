package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * The runtime's refusals on the HTTP layer, over a raw socket: a body declared larger than the limit is answered from
 * its {@code Content-Length} before any of it is sent (413; on OpenWhisk's {@code /run} the application error
 * {@code too_large}, 200), another method is 405 with {@code Allow}, an unknown path 404, all in the action protocol's
 * error shape.
 */
class RuntimeHttpRefusalsTest {
    @TempDir Path dir;
    Fixture f;
    RuntimeServer server;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir, CoreConfig.defaults());
        f.addModel("affine", TestModels.affine(1, 0));
        server = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).maxBodyBytes(4096).build(), f.core);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** Sends only the request head (no body) and reads the whole answer (the server closes after a refusal). */
    String exchange(String head) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                b.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                if (b.indexOf("\r\n\r\n") > 0 && b.toString().contains("}")) {
                    break;
                }
            }
            return b.toString();
        }
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
        String init = exchange("POST /init HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");
        assertThat(init).startsWith("HTTP/1.1 413").contains("{\"error\":\"request body larger than 4096 bytes\"}");
        assertThat(exchange("POST /init HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}")).startsWith("HTTP/1.1 200");
        String run = exchange("POST /run HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");
        assertThat(run).startsWith("HTTP/1.1 200").contains("\"code\":\"too_large\"").contains("larger than 4096 bytes");
    }

    @Test
    void methodsAndPathsAreRefusedInTheActionProtocolsShape() throws Exception {
        String get = exchange("GET /run HTTP/1.1\r\nHost: t\r\n\r\n");
        assertThat(get).startsWith("HTTP/1.1 405").containsIgnoringCase("Allow: POST")
                .contains("{\"error\":\"only POST is supported here\"}");
        String unknown = exchange("POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(unknown).startsWith("HTTP/1.1 404").contains("{\"error\":\"no such endpoint; use POST /init and POST /run\"}");
    }
}
