package org.sesemi.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The layer on a real JDK server, spoken to over raw sockets (so nothing in a client library hides the bytes). */
class HttpServiceTest {
    record Seen(String method, String route, int status, long in, long out) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpService service;

    @BeforeEach
    void start() throws IOException {
        Router router = Router.builder()
                .get("/items/{id}", r -> Response.text(200, "text/plain", "item " + r.pathParam("id")))
                .put("/items/{id}", r -> Response.text(200, "text/plain", "put " + r.body(1024).length))
                .delete("/items/{id}", r -> Response.empty(204))
                .get("/items/", r -> Response.text(200, "text/plain", "list"))
                .post("/echo", r -> Response.bytes(200, "application/octet-stream", r.body(1024)))
                .post("/ignore", r -> Response.empty(202))
                .get("/parts", r -> {
                    byte[] record = "[[{\"a\":1}]]".getBytes(StandardCharsets.US_ASCII);
                    return Response.parts(200, Response.JSON, List.of(java.nio.ByteBuffer.wrap(record, 2, 7),
                            java.nio.ByteBuffer.allocateDirect(3).put("+;!".getBytes(StandardCharsets.US_ASCII)).flip(),
                            java.nio.ByteBuffer.allocate(0)));
                })
                .get("/boom", r -> {
                    throw new IllegalStateException("secret detail");
                })
                .build();
        service = HttpService.builder("test").bind(InetAddress.getLoopbackAddress(), 0).router(router)
                .before(r -> {
                    r.setResponseHeader("X-Trace", "t1");
                    return java.util.Optional.empty();
                })
                .errors((r, e) -> {
                    if (e instanceof HttpException h) {
                        Response resp = Response.text(h.status(), "text/plain", "layer:" + h.kind() + ":" + h.size() + ":" + h.limit());
                        return h.kind() == HttpException.Kind.METHOD_NOT_ALLOWED ? resp.withHeader("Allow", h.allowHeader()) : resp;
                    }
                    return Response.text(500, "text/plain", "internal");
                })
                .observer((m, route, status, nanos, in, out) -> seen.add(new Seen(m, route, status, in, out)))
                .start();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void routesByMethodAndTemplateWithDecodedParameters() throws IOException {
        String r = exchange("GET /items/a%20b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 200").containsIgnoringCase("X-Trace: t1").endsWith("item a b");
        assertThat(exchange("GET /items/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).endsWith("list");
        assertThat(exchange("GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 404").containsIgnoringCase("X-Trace: t1").endsWith("layer:NOT_FOUND:-1:-1");
        assertThat(exchange("POST /items/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 405").containsIgnoringCase("Allow: GET, PUT, DELETE");
        awaitSeen(4);
        assertThat(seen).extracting(Seen::route).contains("/items/{id}", "/items/", Request.UNMATCHED);
        assertThat(seen).filteredOn(s -> s.status() == 405).extracting(Seen::method).containsExactly("POST");
    }

    /** A body of parts goes out as their consecutive remaining bytes, with their total as Content-Length. */
    @Test
    void aBodyOfPartsIsWrittenAsTheirRemainingBytesInOrder() throws IOException {
        String r = exchange("GET /parts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Length: 10").endsWith("\r\n\r\n{\"a\":1}+;!");
        Response twice = Response.parts(200, Response.JSON, List.of(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}, 1, 2)));
        assertThat(twice.body()).containsExactly(2, 3);
        assertThat(twice.body()).as("reading the body leaves the parts as they were").containsExactly(2, 3);
        assertThat(Response.empty(204).bodyLength()).isZero();
    }

    @Test
    void aDeclaredOversizedBodyIsRefusedAtOnceAndTheClientStillSendingReadsThe413() throws IOException {
        byte[] big = new byte[2 << 20];
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: " + big.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the answer comes before the body is sent
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("Connection: close");
            // and sending the whole body anyway does not reset the connection (it is drained, bounded)
            out.write(big);
            out.flush();
        }
        awaitSeen(1);
        assertThat(seen).singleElement().satisfies(x -> {
            assertThat(x.status()).isEqualTo(413);
            assertThat(x.in()).isZero();
        });
    }

    @Test
    void aChunkedBodyIsCountedWhileRead() throws IOException {
        StringBuilder req = new StringBuilder("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        for (int i = 0; i < 3; i++) {
            req.append("200\r\n").append("a".repeat(0x200)).append("\r\n");
        }
        req.append("0\r\n\r\n");
        String r = exchange(req.toString());
        assertThat(r).startsWith("HTTP/1.1 413").endsWith("layer:TOO_LARGE:1536:1024");
        String ok = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        assertThat(ok).startsWith("HTTP/1.1 200").endsWith("hello");
        awaitSeen(2);
        assertThat(seen).filteredOn(x -> x.status() == 200).singleElement().satisfies(x -> assertThat(x.in()).isEqualTo(5));
    }

    @Test
    void aSmallBodyNobodyReadIsConsumedBeforeTheAnswerAndTheConnectionServesTheNextRequest() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            s.getOutputStream().write("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            // The handler answers without reading the body; the layer reads it first, so no answer before it is sent.
            s.setSoTimeout(700);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 202");
            s.getOutputStream().write("GET /items/7 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aTruncatedBodyIsMalformed() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400")
                    .endsWith("layer:MALFORMED_BODY:-1:-1");
        }
    }

    @Test
    void theAccessLogNamesTheRouteButNoValueFromTheRequest() throws IOException {
        Logger access = (Logger) LoggerFactory.getLogger("org.sesemi.http.access");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        access.addAppender(appender);
        Level before = access.getLevel();
        access.setLevel(Level.DEBUG);
        try {
            exchange("GET /items/SECRETPATH?token=SECRETQUERY HTTP/1.1\r\nHost: x\r\nAuthorization: Basic SECRETHEADER\r\nConnection: close\r\n\r\n");
            exchange("GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            awaitSeen(2);
        } finally {
            access.detachAppender(appender);
            access.setLevel(before);
        }
        assertThat(appender.list).hasSize(2);
        String logged = appender.list.stream().map(ILoggingEvent::getFormattedMessage).reduce("", String::concat);
        assertThat(logged).contains("test GET /items/{id} 200", "test GET /boom 500").doesNotContain("SECRET", "secret detail");
    }

    /** The observer is told after the exchange ends (after the drain): wait for it, bounded. */
    private void awaitSeen(int n) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (seen.size() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private String exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), service.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.US_ASCII);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
