package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sesemi.time.SystemTime;

/**
 * The keep-alive client against a real HTTP/1.1 peer on loopback that answers as the test says and counts its
 * connections: reuse, a peer that closed an idle connection, answers without length, too long, too late.
 */
class ContainerConnectionsTest {
    private ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    /** Serves each connection's requests with {@code answer(requestNumber)}; null closes the connection instead. */
    private int serve(IntFunction<String> answer) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> connection(s, answer));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server.getLocalPort();
    }

    private void connection(Socket s, IntFunction<String> answer) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                int length = 0;
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                    if (h.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                in.skip(length);
                String a = answer.apply(requests.incrementAndGet());
                if (a == null) {
                    return;
                }
                out.write(a.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-type: application/json\r\nContent-length: " + body.length() + "\r\n\r\n" + body;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private static ProcessContainer.Response post(ContainerConnections c, int maxBytes) throws Exception {
        return c.post("/run", "{\"value\":{}}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5), maxBytes);
    }

    @Test
    void warmRequestsReuseOneKeptAliveConnection() throws Exception {
        int port = serve(n -> ok("{\"n\":" + n + "}"));
        try (ContainerConnections c = new ContainerConnections(port, SystemTime.ticker())) {
            for (int i = 1; i <= 5; i++) {
                ProcessContainer.Response r = post(c, 1 << 20);
                assertThat(r.status()).isEqualTo(200);
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":" + i + "}");
                assertThat(r.contentLength()).hasValue(r.body().length);
            }
        }
        assertThat(accepted.get()).isEqualTo(1);
    }

    @Test
    void aConnectionThePeerClosedWhileIdleIsReplacedWithoutLosingTheRequest() throws Exception {
        // The peer answers the first request, then closes that connection when the second arrives (as a server whose
        // idle timeout passed); the second request goes again on a new connection.
        int port = serve(n -> n == 2 ? null : ok("{\"n\":" + n + "}"));
        try (ContainerConnections c = new ContainerConnections(port, SystemTime.ticker())) {
            assertThat(new String(post(c, 1 << 20).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
            assertThat(new String(post(c, 1 << 20).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":3}");
        }
        assertThat(accepted.get()).isEqualTo(2);
    }

    @Test
    void aNewConnectionClosedWithoutAnswerIsAConnectionFailure() throws Exception {
        int port = serve(n -> null);
        try (ContainerConnections c = new ContainerConnections(port, SystemTime.ticker())) {
            assertThatThrownBy(() -> post(c, 1 << 20)).isInstanceOf(IOException.class);
        }
        assertThat(requests.get()).as("never sent twice on a fresh connection").isEqualTo(1);
    }

    @Test
    void chunkedAnswersAreDecodedAndTooLongOnesTruncatedWithoutReusingTheirConnection() throws Exception {
        int port = serve(n -> switch (n) {
            case 1 -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
            case 2 -> ok("x".repeat(100));
            default -> ok("{}");
        });
        try (ContainerConnections c = new ContainerConnections(port, SystemTime.ticker())) {
            ProcessContainer.Response chunked = post(c, 1 << 20);
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.contentLength()).as("the action protocol needs a length").isEmpty();
            assertThat(new String(chunked.body(), StandardCharsets.UTF_8)).isEqualTo("hello world");
            ProcessContainer.Response tooLong = post(c, 10);
            assertThat(tooLong.contentLength()).hasValue(100);
            assertThat(tooLong.body()).hasSize(10);
            assertThat(post(c, 1 << 20).body()).hasSize(2);
        }
        assertThat(accepted.get()).as("a chunked answer read to its end keeps its connection; a truncated one does not")
                .isEqualTo(2);
    }

    @Test
    void noAnswerInTimeIsATimeout() throws Exception {
        int port = serve(n -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok("{}");
        });
        try (ContainerConnections c = new ContainerConnections(port, SystemTime.ticker())) {
            assertThatThrownBy(() -> c.post("/run", new byte[0], Duration.ofMillis(300), 100))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
        }
    }
}
