package org.sesemi.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sesemi.http.HttpException;
import org.sesemi.http.HttpService;
import org.sesemi.http.Response;
import org.sesemi.http.Router;

/**
 * The warm request path through the HTTP layer against a hand-written JDK handler as the four servers had before it
 * (Content-Length check, body read, route by string compare, write): a small POST round trip on one keep-alive
 * connection each, the two servers in the same JVM, measured interleaved (batches alternate A, B, A, B, ...) so that
 * machine load hits both alike. Prints the p50/p90 of each and the ratio layer/jdk.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar org.sesemi.bench.http.HttpLayerLoop [rounds] [batch] [bodyBytes]}
 */
public final class HttpLayerLoop {
    private static final String PATH = "/api/v1/namespaces/_/actions/echo";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 250;
        int bodyBytes = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        byte[] body = "a".repeat(bodyBytes).getBytes(StandardCharsets.US_ASCII);
        Router router = Router.builder().ignoreTrailingSlash()
                .get("/api/v1/namespaces/{ns}/actions", r -> Response.empty(204))
                .post("/api/v1/namespaces/{ns}/actions/{name}", r -> Response.json(200, r.body(1 << 20)))
                .post("/api/v1/namespaces/{ns}/actions/{pkg}/{name}", r -> Response.json(200, r.body(1 << 20)))
                .get("/api/v1/namespaces/{ns}/activations/{id}", r -> Response.empty(204))
                .build();
        try (HttpService layer = HttpService.builder("bench").bind(InetAddress.getLoopbackAddress(), 0).router(router)
                .errors((r, e) -> Response.empty(e instanceof HttpException h ? h.status() : 500)).start();
                Jdk jdk = new Jdk();
                Client a = new Client(jdk.port());
                Client b = new Client(layer.port())) {
            for (int i = 0; i < 2_000; i++) { // warm-up of both paths
                a.post(PATH, body);
                b.post(PATH, body);
            }
            long[] ta = new long[rounds * batch];
            long[] tb = new long[rounds * batch];
            int n = 0;
            for (int round = 0; round < rounds; round++) {
                boolean aFirst = round % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    Client c = (k == 0) == aFirst ? a : b;
                    long[] into = c == a ? ta : tb;
                    for (int i = 0; i < batch; i++) {
                        long t0 = System.nanoTime();
                        c.post(PATH, body);
                        into[n + i] = System.nanoTime() - t0;
                    }
                }
                n += batch;
            }
            Arrays.sort(ta);
            Arrays.sort(tb);
            double pa50 = ta[ta.length / 2] / 1e3, pb50 = tb[tb.length / 2] / 1e3;
            double pa90 = ta[ta.length * 9 / 10] / 1e3, pb90 = tb[tb.length * 9 / 10] / 1e3;
            System.out.printf(Locale.ROOT, "requests per engine: %d (POST %d B, keep-alive, interleaved batches of %d)%n", ta.length, bodyBytes, batch);
            System.out.printf(Locale.ROOT, "hand-written JDK handler: p50 %.1f us  p90 %.1f us%n", pa50, pa90);
            System.out.printf(Locale.ROOT, "HTTP layer (HttpService): p50 %.1f us  p90 %.1f us%n", pb50, pb90);
            System.out.printf(Locale.ROOT, "ratio layer/jdk: p50 %.3f  p90 %.3f%n", pb50 / pa50, pb90 / pa90);
            System.out.printf(Locale.ROOT, "load average: %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** The "before": one hand-written handler on the JDK server, as each server had. */
    private static final class Jdk implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

        Jdk() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String[] p = ex.getRequestURI().getRawPath().split("/");
                String cl = ex.getRequestHeaders().getFirst("Content-Length");
                if (cl != null && Long.parseLong(cl.strip()) > (1 << 20)) {
                    ex.sendResponseHeaders(413, -1);
                    return;
                }
                if (!ex.getRequestMethod().equals("POST") || p.length != 7 || !p[5].equals("actions")) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] b = ex.getRequestBody().readNBytes((1 << 20) + 1);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(b);
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** A minimal keep-alive HTTP/1.1 client on a raw socket, so the client adds as little as possible. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = new java.io.BufferedOutputStream(socket.getOutputStream());
        }

        void post(String path, byte[] body) throws IOException {
            out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            int length = -1;
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int status = -1;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\n') {
                    line.write(c);
                    continue;
                }
                String l = line.toString(StandardCharsets.US_ASCII).strip();
                line.reset();
                if (status < 0) {
                    status = Integer.parseInt(l.split(" ")[1]);
                } else if (l.isEmpty()) {
                    break;
                } else if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(l.substring(15).strip());
                }
            }
            if (status != 200 || length != body.length) {
                throw new IOException("unexpected answer " + status + " with " + length + " bytes");
            }
            in.readNBytes(length);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
